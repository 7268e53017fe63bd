using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;
using ChangeWatch.Imaging.Bitmaps;
using ChangeWatch.Imaging.GeoTiff;

namespace ChangeWatch.Imaging.Decoding;

/// <summary>
/// Opens TIFF/GeoTIFF (own header parser; Deflate through System.IO.Compression, LZW and PackBits through LibTiff.NET)
/// and PNG/JPEG/BMP (ImageSharp) for reading by window.
/// <para>
/// TIFF: the first image of a classic or BigTIFF file; strips or tiles; uint8, uint16, int16 or float32 samples; any
/// band count up to the limit, chunky or planar; no compression, LZW, Deflate or PackBits, with or without predictor.
/// The header is checked against the limits before anything is decoded; windows are read straight from the stream,
/// decoding only the strips or tiles that intersect them, so memory per source is bounded by the window, the chunk
/// cache budget (<see cref="ChunkCacheBytes"/>), one decoded chunk (tiles up to 64 MiB; a strip too big to cache is
/// decoded only down to the window's last row) and, for LZW and PackBits, one compressed chunk. Georeferencing comes from GeoTIFF tags
/// (EPSG from ProjectedCSTypeGeoKey or GeographicTypeGeoKey; PixelIsPoint shifted half a pixel as GDAL does) and the
/// GDAL_NODATA tag gives <see cref="RasterInfo.NoData"/>, whose samples read back as NaN.
/// </para>
/// <para>
/// PNG, JPEG, BMP: identified from the header, checked against the limits, then decoded whole and held by the source
/// (memory bounded by MaxPixels). Colour gives 3 bands (R, G, B), grey 1; alpha is dropped.
/// </para>
/// Rejections: <see cref="RejectionCode.UnsupportedFormat"/> (unknown bytes, JPEG/ZSTD-in-TIFF, other sample types),
/// <see cref="RejectionCode.TooManyPixels"/> (limits, including <see cref="DecodeLimits.MaxCompressionRatio"/> from the chunk
/// byte counts), <see cref="RejectionCode.CorruptImage"/> (truncated, bad offsets,
/// IFD loops, undecodable data), <see cref="RejectionCode.EmptyFile"/> (zero bytes). Sources are not thread-safe.
/// </summary>
public sealed class RasterDecoder : IRasterDecoder
{
    /// <summary>Default decoded-chunk cache budget per TIFF source: 32 MiB.</summary>
    public const long DefaultChunkCacheBytes = 32L * 1024 * 1024;

    /// <summary>Creates a decoder with the default chunk cache budget.</summary>
    public RasterDecoder()
        : this(DefaultChunkCacheBytes)
    {
    }

    /// <summary>Creates a decoder whose TIFF sources keep up to <paramref name="chunkCacheBytes"/> of decoded strips or tiles.</summary>
    public RasterDecoder(long chunkCacheBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunkCacheBytes);
        ChunkCacheBytes = chunkCacheBytes;
    }

    /// <summary>Decoded-chunk cache budget per TIFF source, in bytes.</summary>
    public long ChunkCacheBytes { get; }

    /// <inheritdoc />
    public IRasterSource Open(Stream seekableStream, RasterFormat format, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(seekableStream);
        ArgumentNullException.ThrowIfNull(limits);
        if (!seekableStream.CanSeek || !seekableStream.CanRead)
        {
            throw new ArgumentException("The stream must be readable and seekable.", nameof(seekableStream));
        }

        if (seekableStream.Length == 0)
        {
            throw new RejectedInputException(RejectionCode.EmptyFile, "The file is empty.");
        }

        seekableStream.Position = 0;
        switch (format)
        {
            case RasterFormat.Tiff:
                var layout = TiffLayout.Read(TiffDirectory.ReadFirst(seekableStream), limits);
                return new TiffRasterSource(seekableStream, layout, ChunkCacheBytes);
            case RasterFormat.Png or RasterFormat.Jpeg or RasterFormat.Bmp:
                return BitmapRasterSource.Open(seekableStream, format, limits);
            default:
                throw new RejectedInputException(RejectionCode.UnsupportedFormat, "The file is not a PNG, JPEG, BMP or TIFF image.");
        }
    }
}
