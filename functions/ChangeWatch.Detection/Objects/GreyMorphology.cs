using System.Buffers;

namespace ChangeWatch.Detection;

/// <summary>
/// Grey-level square max and min filters, separable, windows clipped at the plane's edges. Each 1-D pass uses the
/// van Herk / Gil-Werman scheme (block prefix and suffix extrema), so the cost per pixel does not grow with the radius.
/// </summary>
internal static class GreyMorphology
{
    /// <summary>Square max (<paramref name="max"/> true) or min filter of radius <paramref name="radius"/> into <paramref name="destination"/>.</summary>
    public static void Filter(ReadOnlySpan<float> source, int width, int height, int radius, bool max, Span<float> destination, Span<float> scratch)
    {
        var longest = Math.Max(width, height) + 2 * radius;
        var buffers = ArrayPool<float>.Shared.Rent(4 * longest);
        try
        {
            var line = buffers.AsSpan(0, longest);
            var result = buffers.AsSpan(longest, longest);
            var prefix = buffers.AsSpan(2 * longest, longest);
            var suffix = buffers.AsSpan(3 * longest, longest);
            for (var y = 0; y < height; y++)
            {
                Line(source.Slice(y * width, width), 1, width, radius, max, line, prefix, suffix, result);
                result[..width].CopyTo(scratch.Slice(y * width, width));
            }

            for (var x = 0; x < width; x++)
            {
                Line(scratch[x..], width, height, radius, max, line, prefix, suffix, result);
                for (var y = 0; y < height; y++)
                {
                    destination[y * width + x] = result[y];
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffers);
        }
    }

    /// <summary>1-D filter of the <paramref name="length"/> samples at <paramref name="source"/>[i · stride] into result[0..length).</summary>
    private static void Line(ReadOnlySpan<float> source, int stride, int length, int radius, bool max, Span<float> line, Span<float> prefix, Span<float> suffix, Span<float> result)
    {
        // Pad with the identity of the operation so clipped windows see only real samples.
        var identity = max ? float.NegativeInfinity : float.PositiveInfinity;
        var padded = length + 2 * radius;
        line[..radius].Fill(identity);
        line.Slice(radius + length, radius).Fill(identity);
        for (var i = 0; i < length; i++)
        {
            line[radius + i] = source[i * stride];
        }

        var k = 2 * radius + 1;
        for (var i = 0; i < padded; i++)
        {
            prefix[i] = i % k == 0 ? line[i] : Pick(prefix[i - 1], line[i], max);
        }

        for (var i = padded - 1; i >= 0; i--)
        {
            suffix[i] = i == padded - 1 || (i + 1) % k == 0 ? line[i] : Pick(suffix[i + 1], line[i], max);
        }

        // Window [i, i + k - 1] of the padded line is centred on sample i.
        for (var i = 0; i < length; i++)
        {
            result[i] = Pick(suffix[i], prefix[i + k - 1], max);
        }
    }

    private static float Pick(float a, float b, bool max) => max ? Math.Max(a, b) : Math.Min(a, b);
}
