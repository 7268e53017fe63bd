using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;
using ChangeWatch.Imaging.Decoding;

namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>
/// Encodes tiles as GeoTIFFs with one strip per band: float32, planar, Deflate (zlib level <see cref="DeflateLevel"/>,
/// System.IO.Compression, without LibTiff) with the floating-point predictor, GDAL_NODATA "nan", and the tile's georeference as ModelPixelScale + ModelTiepoint (ModelTransformation
/// when rotated) + GeoKeyDirectory (PixelIsArea). <see cref="Decode"/> reads such a file back bit for bit (NaN
/// included) with its georeference; it reads any GeoTIFF <see cref="RasterDecoder"/> accepts up to
/// <see cref="MaxTilePixels"/> pixels.
/// </summary>
public sealed class GeoTiffTileCodec : ITileCodec
{
    /// <summary>Largest tile <see cref="Decode"/> accepts: 4096 × 4096 pixels.</summary>
    public const int MaxTileSide = 4096;

    /// <summary>Largest tile area <see cref="Decode"/> accepts.</summary>
    public const long MaxTilePixels = (long)MaxTileSide * MaxTileSide;

    /// <summary>
    /// Default zlib level of the tiles' Deflate streams: 2. Measured on the tiling bench's 16-bit scene (docs/performance.md): level 1
    /// (zlib-ng's quick, static codes) writes tiles about 1.5 times larger, level 6 only 7 % smaller for about twice the
    /// encoding time.
    /// </summary>
    public const int DefaultDeflateLevel = 2;

    private static readonly DecodeLimits TileLimits = new() { MaxDimension = MaxTileSide, MaxPixels = MaxTilePixels, MaxBands = 64, MaxCompressionRatio = double.PositiveInfinity };
    private readonly RasterDecoder _decoder = new(chunkCacheBytes: 0);

    /// <summary>Creates a codec that writes Deflate at <see cref="DefaultDeflateLevel"/>.</summary>
    public GeoTiffTileCodec()
        : this(DefaultDeflateLevel)
    {
    }

    /// <summary>Creates a codec that writes Deflate at zlib level <paramref name="deflateLevel"/>, 1 (fastest) to 9 (smallest).</summary>
    public GeoTiffTileCodec(int deflateLevel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(deflateLevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(deflateLevel, 9);
        DeflateLevel = deflateLevel;
    }

    /// <summary>zlib level of the Deflate streams this codec writes.</summary>
    public int DeflateLevel { get; }

    /// <inheritdoc />
    public string ContentType => "image/tiff";

    /// <inheritdoc />
    public void Encode(TileRaster tile, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(tile);
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.CanSeek)
        {
            TileTiffWriter.Write(tile, destination, DeflateLevel);
            return;
        }

        using var buffer = new MemoryStream();
        TileTiffWriter.Write(tile, buffer, DeflateLevel);
        buffer.Position = 0;
        buffer.CopyTo(destination);
    }

    /// <inheritdoc />
    /// <exception cref="RejectedInputException">The bytes are not a readable TIFF or the tile exceeds <see cref="MaxTilePixels"/>.</exception>
    public TileRaster Decode(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanSeek)
        {
            using var copy = new MemoryStream();
            source.CopyTo(copy);
            copy.Position = 0;
            return Decode(copy);
        }

        using var raster = _decoder.Open(source, RasterFormat.Tiff, TileLimits);
        var info = raster.Info;
        var data = new float[checked(info.Width * info.Height * info.BandCount)];
        raster.ReadWindow(new PixelWindow(0, 0, info.Width, info.Height), data);
        return new TileRaster(info.Width, info.Height, info.BandCount, data, info.GeoReference);
    }
}
