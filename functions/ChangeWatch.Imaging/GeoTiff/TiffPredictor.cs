using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>
/// The TIFF predictors (tag 317) on decoded rows, as libtiff applies them: horizontal differencing (2) on native-order
/// integer samples and the floating-point predictor (3), whose rows hold the samples' bytes as planes, most significant
/// first (of the file-order value: big-endian files need a byte swap afterwards), differenced byte by byte.
/// </summary>
internal static class TiffPredictor
{
    /// <summary>Undoes horizontal differencing in place on every row of <paramref name="rows"/> (native order).</summary>
    public static void UndoHorizontal(Span<byte> rows, int rowBytes, int bytesPerSample, int samplesPerPixel)
    {
        for (var start = 0; start + rowBytes <= rows.Length; start += rowBytes)
        {
            var row = rows.Slice(start, rowBytes);
            switch (bytesPerSample)
            {
                case 1:
                    for (var i = samplesPerPixel; i < row.Length; i++)
                    {
                        row[i] += row[i - samplesPerPixel];
                    }

                    break;
                case 2:
                    var u16 = MemoryMarshal.Cast<byte, ushort>(row);
                    for (var i = samplesPerPixel; i < u16.Length; i++)
                    {
                        u16[i] += u16[i - samplesPerPixel];
                    }

                    break;
                default:
                    var u32 = MemoryMarshal.Cast<byte, uint>(row);
                    for (var i = samplesPerPixel; i < u32.Length; i++)
                    {
                        u32[i] += u32[i - samplesPerPixel];
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Undoes the floating-point predictor in place on every row of 32-bit samples, leaving native (little-endian)
    /// floats; <paramref name="scratch"/> must hold one row.
    /// </summary>
    public static void UndoFloatingPoint(Span<byte> rows, int rowBytes, int samplesPerPixel, Span<byte> scratch)
    {
        var tmp = scratch[..rowBytes];
        var count = rowBytes / 4;
        for (var start = 0; start + rowBytes <= rows.Length; start += rowBytes)
        {
            var row = rows.Slice(start, rowBytes);
            for (var i = samplesPerPixel; i < row.Length; i++)
            {
                row[i] += row[i - samplesPerPixel];
            }

            row.CopyTo(tmp);
            var p0 = tmp[..count];
            var p1 = tmp.Slice(count, count);
            var p2 = tmp.Slice(2 * count, count);
            var p3 = tmp.Slice(3 * count, count);
            var words = MemoryMarshal.Cast<byte, uint>(row);
            for (var i = 0; i < count; i++)
            {
                words[i] = ((uint)p0[i] << 24) | ((uint)p1[i] << 16) | ((uint)p2[i] << 8) | p3[i];
            }
        }
    }

    /// <summary>
    /// Applies the floating-point predictor to one row of native floats, writing the differenced byte planes to
    /// <paramref name="destination"/> (4 bytes per sample). Vectorised where the hardware allows.
    /// </summary>
    public static void ApplyFloatingPoint(ReadOnlySpan<float> row, Span<byte> destination)
    {
        var count = row.Length;
        var dest = destination[..(count * 4)];
        var i = 0;
        if (Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            // 4 floats -> their most significant bytes, then the next, ...: one shuffle, four 32-bit stores.
            var bytes = MemoryMarshal.AsBytes(row);
            var planesOf4 = Vector128.Create((byte)3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13, 0, 4, 8, 12);
            for (; i + 4 <= count; i += 4)
            {
                var planes = Vector128.Shuffle(Vector128.Create((ReadOnlySpan<byte>)bytes.Slice(i * 4, 16)), planesOf4).AsUInt32();
                MemoryMarshal.Write(dest[i..], planes.GetElement(0));
                MemoryMarshal.Write(dest[(count + i)..], planes.GetElement(1));
                MemoryMarshal.Write(dest[((2 * count) + i)..], planes.GetElement(2));
                MemoryMarshal.Write(dest[((3 * count) + i)..], planes.GetElement(3));
            }
        }

        var words = MemoryMarshal.Cast<float, uint>(row);
        for (; i < count; i++)
        {
            var w = words[i];
            dest[i] = (byte)(w >> 24);
            dest[count + i] = (byte)(w >> 16);
            dest[(2 * count) + i] = (byte)(w >> 8);
            dest[(3 * count) + i] = (byte)w;
        }

        // Each byte minus the one before it, from the end so every subtraction sees the original neighbour.
        var end = dest.Length;
        if (Vector128.IsHardwareAccelerated)
        {
            while (end - Vector128<byte>.Count >= 1)
            {
                var at = end - Vector128<byte>.Count;
                var current = Vector128.Create((ReadOnlySpan<byte>)dest.Slice(at, Vector128<byte>.Count));
                var previous = Vector128.Create((ReadOnlySpan<byte>)dest.Slice(at - 1, Vector128<byte>.Count));
                (current - previous).CopyTo(dest.Slice(at, Vector128<byte>.Count));
                end = at;
            }
        }

        for (var j = end - 1; j > 0; j--)
        {
            dest[j] -= dest[j - 1];
        }
    }
}
