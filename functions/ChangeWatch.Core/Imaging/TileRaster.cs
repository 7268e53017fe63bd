namespace ChangeWatch.Core.Imaging;

/// <summary>
/// A small raster held in memory: <see cref="BandCount"/> planes of <see cref="Width"/> × <see cref="Height"/> float
/// samples, band-sequential (band b, row y, column x at <c>b * Width * Height + y * Width + x</c>). Sample values keep the
/// source's units (e.g. 0-255 or 0-10000 reflectance); <see cref="float.NaN"/> marks no-data (outside the scene or the
/// source's nodata value). Used for tiles (256 px) and chips, never for whole scenes.
/// </summary>
public sealed class TileRaster
{
    /// <summary>Creates a raster filled with NaN (no data).</summary>
    public TileRaster(int width, int height, int bandCount, GeoReference? geoReference = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bandCount);
        Width = width;
        Height = height;
        BandCount = bandCount;
        GeoReference = geoReference;
        Data = new float[checked(width * height * bandCount)];
        Data.AsSpan().Fill(float.NaN);
    }

    /// <summary>Wraps existing band-sequential data (length must be width × height × bands).</summary>
    public TileRaster(int width, int height, int bandCount, float[] data, GeoReference? geoReference = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != width * height * bandCount)
        {
            throw new ArgumentException("Data length must be width × height × bands.", nameof(data));
        }

        Width = width;
        Height = height;
        BandCount = bandCount;
        GeoReference = geoReference;
        Data = data;
    }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Bands.</summary>
    public int BandCount { get; }

    /// <summary>Georeferencing of this raster's top-left pixel, or null when the source had none.</summary>
    public GeoReference? GeoReference { get; }

    /// <summary>Band-sequential samples.</summary>
    public float[] Data { get; }

    /// <summary>One band's plane.</summary>
    public Span<float> Band(int band) => Data.AsSpan(band * Width * Height, Width * Height);

    /// <summary>One row of one band.</summary>
    public Span<float> Row(int band, int row) => Data.AsSpan(band * Width * Height + row * Width, Width);

    /// <summary>
    /// A copy of <paramref name="window"/> (in this raster's pixels; it may reach past the edges, where the copy holds
    /// NaN), georeferenced at the window's top-left pixel when this raster is georeferenced.
    /// </summary>
    public TileRaster Crop(PixelWindow window)
    {
        var geo = GeoReference is { } g ? g with { Transform = g.Transform.Offset(window.X, window.Y) } : null;
        var crop = new TileRaster(window.Width, window.Height, BandCount, geo);
        var inside = window.ClipTo(Width, Height);
        if (inside.IsEmpty)
        {
            return crop;
        }

        for (var b = 0; b < BandCount; b++)
        {
            for (var y = inside.Y; y < inside.Y + inside.Height; y++)
            {
                Row(b, y).Slice(inside.X, inside.Width).CopyTo(crop.Row(b, y - window.Y).Slice(inside.X - window.X));
            }
        }

        return crop;
    }
}
