using System.Buffers.Binary;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Tests.Fakes;

/// <summary>
/// A stand-in decoder for handler tests. Files start with the TIFF magic "II*\0" (so the sniffer says TIFF), then
/// little-endian int32 width, height, bands, an int32 "change box" (x, y, size; size 0 = none) and an int32 flag for
/// georeferencing (EPSG 32636, 1 m pixels, origin (500000, 4000000)). Pixel value = (x + 2y) % 200 + 10, plus 100 inside the
/// change box. Anything shorter than the header is "corrupt".
/// </summary>
public sealed class SyntheticTiffDecoder : IRasterDecoder
{
    public const int HeaderLength = 4 + 7 * 4;

    public static byte[] Create(int width, int height, int bands = 3, (int X, int Y, int Size)? change = null, bool georeferenced = false, int originShiftX = 0)
    {
        var bytes = new byte[HeaderLength + 8];
        "II*\0"u8.CopyTo(bytes);
        var values = new[] { width, height, bands, change?.X ?? 0, change?.Y ?? 0, change?.Size ?? 0, georeferenced ? 1 + originShiftX : 0 };
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 + i * 4), values[i]);
        }

        // 8 trailing bytes that vary with everything above, so different images hash differently
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(HeaderLength), HashCode.Combine(width, height, bands, change, georeferenced, originShiftX));
        return bytes;
    }

    public IRasterSource Open(Stream seekableStream, RasterFormat format, DecodeLimits limits)
    {
        var header = new byte[HeaderLength];
        if (seekableStream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false) < HeaderLength)
        {
            throw new RejectedInputException(RejectionCode.CorruptImage, "Truncated synthetic header.");
        }

        int Read(int i) => BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4 + i * 4));
        var (w, h, b) = (Read(0), Read(1), Read(2));
        if ((long)w * h > limits.MaxPixels)
        {
            throw new RejectedInputException(RejectionCode.TooManyPixels, "Too many pixels.");
        }

        var geoFlag = Read(6);
        var geo = geoFlag == 0 ? null : new GeoReference(32636, new GeoTransform(500_000 + (geoFlag - 1), 1, 0, 4_000_000, 0, -1));
        return new Source(new RasterInfo(w, h, b, SampleFormat.UInt8, RasterFormat.Tiff, geo, null), (Read(3), Read(4), Read(5)));
    }

    private sealed class Source(RasterInfo info, (int X, int Y, int Size) change) : IRasterSource
    {
        public RasterInfo Info => info;

        public void ReadWindow(PixelWindow window, Span<float> destination)
        {
            var plane = window.Width * window.Height;
            for (var b = 0; b < info.BandCount; b++)
            {
                for (var y = 0; y < window.Height; y++)
                {
                    for (var x = 0; x < window.Width; x++)
                    {
                        var (sx, sy) = (window.X + x, window.Y + y);
                        float v = float.NaN;
                        if (sx >= 0 && sy >= 0 && sx < info.Width && sy < info.Height)
                        {
                            v = (sx + 2 * sy) % 200 + 10;
                            if (change.Size > 0 && sx >= change.X && sx < change.X + change.Size && sy >= change.Y && sy < change.Y + change.Size)
                            {
                                v += 100;
                            }
                        }

                        destination[b * plane + y * window.Width + x] = v;
                    }
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
