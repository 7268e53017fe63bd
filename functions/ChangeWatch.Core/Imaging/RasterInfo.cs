namespace ChangeWatch.Core.Imaging;

/// <summary>What a raster's header says, known before any pixel is decoded.</summary>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="BandCount">Bands (1 grey, 3 RGB, 4 e.g. B,G,R,NIR).</param>
/// <param name="SampleFormat">Source sample type.</param>
/// <param name="Format">Container format.</param>
/// <param name="GeoReference">Georeferencing from the file's own tags, or null.</param>
/// <param name="NoData">The source's no-data value (GDAL_NODATA), or null.</param>
public sealed record RasterInfo(
    int Width, int Height, int BandCount, SampleFormat SampleFormat, RasterFormat Format,
    GeoReference? GeoReference, double? NoData)
{
    /// <summary>Width × height.</summary>
    public long PixelCount => (long)Width * Height;
}

/// <summary>
/// Limits enforced from the header before pixels are decoded (decompression bombs, hostile files).
/// </summary>
public sealed record DecodeLimits
{
    /// <summary>Largest accepted width × height. Default 400 megapixels.</summary>
    public long MaxPixels { get; init; } = 400_000_000;

    /// <summary>Largest accepted band count. Default 16.</summary>
    public int MaxBands { get; init; } = 16;

    /// <summary>Largest accepted width or height in pixels. Default 100 000.</summary>
    public int MaxDimension { get; init; } = 100_000;

    /// <summary>
    /// Largest accepted ratio of the decoded size the header declares for the stored strips or tiles to their
    /// compressed size (decompression bombs). Default 1000: Deflate cannot pass about 1030, and real imagery stays far
    /// below, so only near-constant images and LZW bombs reach it. Sparse (empty) chunks are not counted.
    /// </summary>
    public double MaxCompressionRatio { get; init; } = 1000;
}
