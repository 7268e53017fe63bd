using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;
using ChangeWatch.Core.Imaging;
using SampleFormat = ChangeWatch.Core.Imaging.SampleFormat;

namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>
/// Writes a single-image (Geo)TIFF row by row with LibTiff.NET, so a large scene never has to be held in memory: at
/// most one row of strips or tiles (strip rows or tile height × width × bands × sample size) is buffered, plus one
/// float row. Float samples are converted to the target type by rounding to nearest and saturating; NaN becomes 0 for
/// integer types.
/// </summary>
public static class GeoTiffWriter
{
    private const int TargetStripBytes = 64 * 1024;

    /// <summary>
    /// Writes the image described by <paramref name="options"/> to <paramref name="destination"/> (which must be writable
    /// and seekable; it is left open, positioned at its end). <paramref name="rows"/> is called for every row and band in
    /// row order. Throws <see cref="ArgumentException"/> for invalid options and <see cref="IOException"/> when LibTiff
    /// reports a write error.
    /// </summary>
    public static void Write(Stream destination, GeoTiffWriteOptions options, TiffRowSource rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rows);
        Validate(destination, options);

        var bytesPerSample = BytesPerSample(options.SampleFormat);
        var (width, height, bands) = (options.Width, options.Height, options.BandCount);
        var samplesPerChunkPixel = options.Planar ? 1 : bands;
        var chunkWidth = options.Tiled ? options.TileSize : width;
        var chunkHeight = options.Tiled
            ? options.TileSize
            : options.RowsPerStrip > 0
                ? Math.Min(options.RowsPerStrip, height)
                : Math.Clamp(TargetStripBytes / Math.Max(1, width * samplesPerChunkPixel * bytesPerSample), 1, height);

        using var scope = LibTiffScope.Writing();
        using var tiff = BitMiracle.LibTiff.Classic.Tiff.ClientOpen("geotiff", options.BigTiff ? "w8" : "w", destination, new BorrowedTiffStream())
            ?? throw new IOException("LibTiff could not start the TIFF.");
        SetTags(tiff, options, chunkWidth, chunkHeight, bytesPerSample);

        // One band of rows (strip height or tile height) over the full width, per plane (planar) or interleaved (chunky).
        var planes = options.Planar ? bands : 1;
        var bandRowBytes = width * samplesPerChunkPixel * bytesPerSample;
        var bandBytes = checked(bandRowBytes * chunkHeight);
        var chunkRowBytes = chunkWidth * samplesPerChunkPixel * bytesPerSample;
        var chunkBytes = checked(chunkRowBytes * chunkHeight);
        var across = (width + chunkWidth - 1) / chunkWidth;
        var down = (height + chunkHeight - 1) / chunkHeight;
        var rowBand = ArrayPool<byte>.Shared.Rent(checked(bandBytes * planes));
        var chunk = ArrayPool<byte>.Shared.Rent(chunkBytes);
        var values = ArrayPool<float>.Shared.Rent(width);
        try
        {
            for (var cy = 0; cy < down; cy++)
            {
                var top = cy * chunkHeight;
                var rowsHere = Math.Min(chunkHeight, height - top);
                Array.Clear(rowBand, 0, bandBytes * planes);
                for (var r = 0; r < rowsHere; r++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    for (var b = 0; b < bands; b++)
                    {
                        var row = values.AsSpan(0, width);
                        rows(top + r, b, row);
                        var plane = options.Planar ? b : 0;
                        var target = rowBand.AsSpan((plane * bandBytes) + (r * bandRowBytes), bandRowBytes);
                        Pack(row, options.SampleFormat, target, samplesPerChunkPixel, options.Planar ? 0 : b);
                    }
                }

                for (var plane = 0; plane < planes; plane++)
                {
                    var band = rowBand.AsSpan(plane * bandBytes, bandBytes);
                    if (!options.Tiled)
                    {
                        // LibTiff.NET's predictor mishandles a non-zero buffer offset, so every chunk is written from offset 0.
                        var bytes = rowsHere * bandRowBytes;
                        band[..bytes].CopyTo(chunk);
                        var index = (plane * down) + cy;
                        Check(tiff.WriteEncodedStrip(index, chunk, 0, bytes), index);
                        continue;
                    }

                    for (var cx = 0; cx < across; cx++)
                    {
                        var left = cx * chunkWidth;
                        var colsHere = Math.Min(chunkWidth, width - left);
                        Array.Clear(chunk, 0, chunkBytes);
                        for (var r = 0; r < rowsHere; r++)
                        {
                            band.Slice((r * bandRowBytes) + (left * samplesPerChunkPixel * bytesPerSample), colsHere * samplesPerChunkPixel * bytesPerSample)
                                .CopyTo(chunk.AsSpan(r * chunkRowBytes));
                        }

                        var index = (plane * across * down) + (cy * across) + cx;
                        Check(tiff.WriteEncodedTile(index, chunk, 0, chunkBytes), index);
                    }
                }
            }

            if (!tiff.Flush())
            {
                throw new IOException("LibTiff could not write the TIFF directory.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rowBand);
            ArrayPool<byte>.Shared.Return(chunk);

            ArrayPool<float>.Shared.Return(values);
        }

        destination.Seek(0, SeekOrigin.End);
    }

    /// <summary>
    /// The GeoKeyDirectory for an EPSG code: geographic model (GeographicTypeGeoKey) for codes 4000-4999, projected
    /// (ProjectedCSTypeGeoKey) otherwise, always PixelIsArea.
    /// </summary>
    internal static short[] GeoKeyDirectory(int epsg)
    {
        var geographic = epsg is >= 4000 and < 5000;
        return
        [
            1, 1, 0, 3,
            (short)TiffTags.GTModelTypeKey, 0, 1, (short)(geographic ? TiffTags.ModelTypeGeographic : TiffTags.ModelTypeProjected),
            (short)TiffTags.GTRasterTypeKey, 0, 1, (short)TiffTags.RasterPixelIsArea,
            (short)(geographic ? TiffTags.GeographicTypeKey : TiffTags.ProjectedCSTypeKey), 0, 1, unchecked((short)(ushort)epsg),
        ];
    }

    private static void SetTags(BitMiracle.LibTiff.Classic.Tiff tiff, GeoTiffWriteOptions o, int chunkWidth, int chunkHeight, int bytesPerSample)
    {
        tiff.SetField(TiffTag.IMAGEWIDTH, o.Width);
        tiff.SetField(TiffTag.IMAGELENGTH, o.Height);
        tiff.SetField(TiffTag.SAMPLESPERPIXEL, o.BandCount);
        tiff.SetField(TiffTag.BITSPERSAMPLE, bytesPerSample * 8);
        tiff.SetField(TiffTag.SAMPLEFORMAT, o.SampleFormat switch
        {
            SampleFormat.Int16 => BitMiracle.LibTiff.Classic.SampleFormat.INT,
            SampleFormat.Float32 => BitMiracle.LibTiff.Classic.SampleFormat.IEEEFP,
            _ => BitMiracle.LibTiff.Classic.SampleFormat.UINT,
        });
        tiff.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
        tiff.SetField(TiffTag.PLANARCONFIG, o.Planar ? PlanarConfig.SEPARATE : PlanarConfig.CONTIG);
        tiff.SetField(TiffTag.ORIENTATION, Orientation.TOPLEFT);
        tiff.SetField(TiffTag.COMPRESSION, o.Compression switch
        {
            TiffCompression.Lzw => Compression.LZW,
            TiffCompression.Deflate => Compression.ADOBE_DEFLATE,
            TiffCompression.PackBits => Compression.PACKBITS,
            _ => Compression.NONE,
        });
        if (o.UsePredictor && o.Compression is TiffCompression.Lzw or TiffCompression.Deflate)
        {
            tiff.SetField(TiffTag.PREDICTOR, o.SampleFormat == SampleFormat.Float32 ? Predictor.FLOATINGPOINT : Predictor.HORIZONTAL);
        }

        if (o.Tiled)
        {
            tiff.SetField(TiffTag.TILEWIDTH, chunkWidth);
            tiff.SetField(TiffTag.TILELENGTH, chunkHeight);
        }
        else
        {
            tiff.SetField(TiffTag.ROWSPERSTRIP, chunkHeight);
        }

        if (o.DateTime is { } when)
        {
            tiff.SetField(TiffTag.DATETIME, TiffDateTime.ToTagText(when));
        }

        if (o.NoData is { } noData)
        {
            tiff.SetField(TiffTag.GDAL_NODATA, double.IsNaN(noData) ? "nan" : noData.ToString("R", CultureInfo.InvariantCulture));
        }

        if (o.GeoReference is { } geo)
        {
            var t = geo.Transform;
            if (t.IsNorthUp)
            {
                tiff.SetField(TiffTag.GEOTIFF_MODELPIXELSCALETAG, 3, new[] { t.PixelWidth, -t.PixelHeight, 0.0 });
                tiff.SetField(TiffTag.GEOTIFF_MODELTIEPOINTTAG, 6, new[] { 0.0, 0.0, 0.0, t.OriginX, t.OriginY, 0.0 });
            }
            else
            {
                tiff.SetField(TiffTag.GEOTIFF_MODELTRANSFORMATIONTAG, 16, new[]
                {
                    t.PixelWidth, t.RotationX, 0.0, t.OriginX,
                    t.RotationY, t.PixelHeight, 0.0, t.OriginY,
                    0.0, 0.0, 0.0, 0.0,
                    0.0, 0.0, 0.0, 1.0,
                });
            }

            var keys = GeoKeyDirectory(geo.Epsg);
            tiff.SetField(TiffTag.GEOTIFF_GEOKEYDIRECTORYTAG, keys.Length, keys);
        }
    }

    private static void Pack(ReadOnlySpan<float> row, SampleFormat format, Span<byte> target, int stride, int offset)
    {
        switch (format)
        {
            case SampleFormat.UInt8:
                for (int i = 0, j = offset; i < row.Length; i++, j += stride)
                {
                    target[j] = (byte)Saturate(row[i], byte.MinValue, byte.MaxValue);
                }

                break;
            case SampleFormat.UInt16:
                var u16 = MemoryMarshal.Cast<byte, ushort>(target);
                for (int i = 0, j = offset; i < row.Length; i++, j += stride)
                {
                    u16[j] = (ushort)Saturate(row[i], ushort.MinValue, ushort.MaxValue);
                }

                break;
            case SampleFormat.Int16:
                var i16 = MemoryMarshal.Cast<byte, short>(target);
                for (int i = 0, j = offset; i < row.Length; i++, j += stride)
                {
                    i16[j] = (short)Saturate(row[i], short.MinValue, short.MaxValue);
                }

                break;
            default:
                var f32 = MemoryMarshal.Cast<byte, float>(target);
                for (int i = 0, j = offset; i < row.Length; i++, j += stride)
                {
                    f32[j] = row[i];
                }

                break;
        }
    }

    private static float Saturate(float value, float min, float max) =>
        float.IsNaN(value) ? 0 : Math.Clamp(MathF.Round(value, MidpointRounding.ToEven), min, max);

    private static void Check(int written, int index)
    {
        if (written < 0)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"LibTiff could not write chunk {index}."));
        }
    }

    internal static int BytesPerSample(SampleFormat format) => format switch
    {
        SampleFormat.UInt8 => 1,
        SampleFormat.UInt16 or SampleFormat.Int16 => 2,
        SampleFormat.Float32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown sample format."),
    };

    private static void Validate(Stream destination, GeoTiffWriteOptions o)
    {
        if (!destination.CanWrite || !destination.CanSeek)
        {
            throw new ArgumentException("The destination must be writable and seekable.", nameof(destination));
        }

        if (o.Width <= 0 || o.Height <= 0 || o.BandCount is <= 0 or > ushort.MaxValue)
        {
            throw new ArgumentException("Width, height and band count must be positive (bands at most 65535).", nameof(o));
        }

        if (o.Tiled && (o.TileSize <= 0 || o.TileSize % 16 != 0))
        {
            throw new ArgumentException("Tile size must be a positive multiple of 16.", nameof(o));
        }

        if (o.RowsPerStrip < 0)
        {
            throw new ArgumentException("Rows per strip must be 0 (automatic) or positive.", nameof(o));
        }

        if (o.GeoReference is { Epsg: <= 0 or > ushort.MaxValue })
        {
            throw new ArgumentException("The EPSG code must be between 1 and 65535 to be written as a GeoKey.", nameof(o));
        }

        _ = BytesPerSample(o.SampleFormat);
    }
}
