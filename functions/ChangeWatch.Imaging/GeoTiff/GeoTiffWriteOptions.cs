using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>What <see cref="GeoTiffWriter"/> writes: size, sample type, layout, compression and tags.</summary>
public sealed record GeoTiffWriteOptions
{
    /// <summary>Columns (1 or more).</summary>
    public required int Width { get; init; }

    /// <summary>Rows (1 or more).</summary>
    public required int Height { get; init; }

    /// <summary>Bands (1 to 65535).</summary>
    public required int BandCount { get; init; }

    /// <summary>Sample type on disk. Default <see cref="SampleFormat.Float32"/>.</summary>
    public SampleFormat SampleFormat { get; init; } = SampleFormat.Float32;

    /// <summary>Georeferencing written as GeoTIFF tags (PixelIsArea), or null for none.</summary>
    public GeoReference? GeoReference { get; init; }

    /// <summary>Compression. Default <see cref="TiffCompression.Deflate"/>.</summary>
    public TiffCompression Compression { get; init; } = TiffCompression.Deflate;

    /// <summary>
    /// Whether LZW and Deflate use a predictor: horizontal differencing (2) for integers, floating point (3) for float32.
    /// Default true; ignored for no compression and PackBits.
    /// </summary>
    public bool UsePredictor { get; init; } = true;

    /// <summary>True for tiles of <see cref="TileSize"/> pixels, false for strips of <see cref="RowsPerStrip"/> rows.</summary>
    public bool Tiled { get; init; }

    /// <summary>Tile width and height in pixels, a multiple of 16. Default 256.</summary>
    public int TileSize { get; init; } = 256;

    /// <summary>Rows per strip; 0 (default) picks strips of about 64 KiB.</summary>
    public int RowsPerStrip { get; init; }

    /// <summary>True to store each band in its own strips or tiles (planar), false to interleave bands per pixel (chunky).</summary>
    public bool Planar { get; init; }

    /// <summary>Writes BigTIFF (64-bit offsets) instead of classic TIFF.</summary>
    public bool BigTiff { get; init; }

    /// <summary>GDAL_NODATA value, or null for none. <see cref="double.NaN"/> is written as "nan".</summary>
    public double? NoData { get; init; }

    /// <summary>TIFF DateTime tag (306), written in UTC, or null for none.</summary>
    public DateTimeOffset? DateTime { get; init; }
}
