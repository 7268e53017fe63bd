using System.Runtime.InteropServices;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Imaging.Decoding;

/// <summary>Converts rows of native-order samples to float, picking one sample of every pixel.</summary>
internal static class SampleConverter
{
    /// <summary>
    /// Writes <c>destination.Length</c> samples: pixel <c>firstPixel + i</c>, sample <paramref name="sampleOffset"/> of
    /// <paramref name="samplesPerPixel"/>; values equal to <paramref name="noData"/> (when not NaN) become NaN.
    /// </summary>
    public static void ToFloat(
        ReadOnlySpan<byte> row, SampleFormat format, int firstPixel, int samplesPerPixel, int sampleOffset,
        Span<float> destination, float noData)
    {
        var start = (firstPixel * samplesPerPixel) + sampleOffset;
        switch (format)
        {
            case SampleFormat.UInt8:
                Pick(row, start, samplesPerPixel, destination);
                break;
            case SampleFormat.UInt16:
                Pick(MemoryMarshal.Cast<byte, ushort>(row), start, samplesPerPixel, destination);
                break;
            case SampleFormat.Int16:
                Pick(MemoryMarshal.Cast<byte, short>(row), start, samplesPerPixel, destination);
                break;
            case SampleFormat.Float32:
                Pick(MemoryMarshal.Cast<byte, float>(row), start, samplesPerPixel, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }

        if (!float.IsNaN(noData))
        {
            foreach (ref var v in destination)
            {
                if (v == noData)
                {
                    v = float.NaN;
                }
            }
        }
    }

    private static void Pick(ReadOnlySpan<byte> source, int start, int stride, Span<float> destination)
    {
        var s = source[start..];
        for (int i = 0, j = 0; i < destination.Length; i++, j += stride)
        {
            destination[i] = s[j];
        }
    }

    private static void Pick(ReadOnlySpan<ushort> source, int start, int stride, Span<float> destination)
    {
        var s = source[start..];
        for (int i = 0, j = 0; i < destination.Length; i++, j += stride)
        {
            destination[i] = s[j];
        }
    }

    private static void Pick(ReadOnlySpan<short> source, int start, int stride, Span<float> destination)
    {
        var s = source[start..];
        for (int i = 0, j = 0; i < destination.Length; i++, j += stride)
        {
            destination[i] = s[j];
        }
    }

    private static void Pick(ReadOnlySpan<float> source, int start, int stride, Span<float> destination)
    {
        var s = source[start..];
        if (stride == 1)
        {
            s[..destination.Length].CopyTo(destination);
            return;
        }

        for (int i = 0, j = 0; i < destination.Length; i++, j += stride)
        {
            destination[i] = s[j];
        }
    }
}
