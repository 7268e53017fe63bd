using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;
using ChangeWatch.Imaging.Decoding;

namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>
/// Encodes tiles as single-strip GeoTIFFs: float32, planar (one plane per band), Deflate with the floating-point
/// predictor, GDAL_NODATA "nan", and the tile's georeference as ModelPixelScale + ModelTiepoint (ModelTransformation
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
    /// zlib level of the tiles' Deflate streams: 1, the fastest. On float tiles behind the floating-point predictor,
    /// higher levels shrink tiles by a few per cent for several times the encoding time.
    /// </summary>
    public const int DeflateLevel = 1;

    private static readonly DecodeLimits TileLimits = new() { MaxDimension = MaxTileSide, MaxPixels = MaxTilePixels, MaxBands = 64, MaxCompressionRatio = double.PositiveInfinity };
    private readonly RasterDecoder _decoder = new(chunkCacheBytes: 0);

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
