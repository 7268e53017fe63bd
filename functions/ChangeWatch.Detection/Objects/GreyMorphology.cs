using System.Buffers;
using System.Numerics;

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
        var longest = width + 2 * radius;
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

        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffers);
        }

        Columns(scratch, width, height, radius, max, destination);
    }

    /// <summary>
    /// The vertical pass, the same van Herk / Gil-Werman scheme as <see cref="Line"/> along every column at once: whole
    /// rows are combined with vector extrema (IEEE maximum and minimum, as <see cref="Math.Max(float, float)"/> and
    /// <see cref="Math.Min(float, float)"/>), so each output is the same extremum of the same samples.
    /// </summary>
    private static void Columns(ReadOnlySpan<float> source, int width, int height, int radius, bool max, Span<float> destination)
    {
        var k = 2 * radius + 1;
        var padded = height + 2 * radius;
        var buffers = ArrayPool<float>.Shared.Rent((2 * padded + 1) * width);
        try
        {
            var prefix = buffers.AsSpan(0, padded * width);
            var suffix = buffers.AsSpan(padded * width, padded * width);
            var identity = buffers.AsSpan(2 * padded * width, width);
            identity.Fill(max ? float.NegativeInfinity : float.PositiveInfinity);
            for (var start = 0; start < padded; start += k)
            {
                var end = Math.Min(start + k, padded) - 1;
                Row(source, identity, radius, height, width, start).CopyTo(prefix.Slice(start * width, width));
                for (var i = start + 1; i <= end; i++)
                {
                    Combine(prefix.Slice((i - 1) * width, width), Row(source, identity, radius, height, width, i), prefix.Slice(i * width, width), max);
                }

                Row(source, identity, radius, height, width, end).CopyTo(suffix.Slice(end * width, width));
                for (var i = end - 1; i >= start; i--)
                {
                    Combine(suffix.Slice((i + 1) * width, width), Row(source, identity, radius, height, width, i), suffix.Slice(i * width, width), max);
                }
            }

            for (var y = 0; y < height; y++)
            {
                Combine(suffix.Slice(y * width, width), prefix.Slice((y + k - 1) * width, width), destination.Slice(y * width, width), max);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffers);
        }

        static ReadOnlySpan<float> Row(ReadOnlySpan<float> source, ReadOnlySpan<float> identity, int radius, int height, int width, int i) =>
            i < radius || i >= radius + height ? identity : source.Slice((i - radius) * width, width);
    }

    /// <summary>destination = Pick(a, b) element by element, a vector at a time.</summary>
    private static void Combine(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination, bool max)
    {
        var lanes = Vector<float>.Count;
        var x = 0;
        for (; x + lanes <= destination.Length; x += lanes)
        {
            var (va, vb) = (new Vector<float>(a.Slice(x, lanes)), new Vector<float>(b.Slice(x, lanes)));
            (max ? Vector.Max(va, vb) : Vector.Min(va, vb)).CopyTo(destination.Slice(x, lanes));
        }

        for (; x < destination.Length; x++)
        {
            destination[x] = Pick(a[x], b[x], max);
        }
    }

    /// <summary>
    /// Grey-level hole filling (reconstruction by erosion from the plane's border, 8-connected): every dark basin not
    /// connected to the border is raised to the level at which it would spill over its rim; the border and everything
    /// connected to it through pixels no brighter than itself keep their value. <paramref name="destination"/> ≥
    /// <paramref name="source"/> everywhere. Vincent's hybrid algorithm: a forward and a backward raster scan, then a
    /// queue for what the scans left; <paramref name="queue"/> is scratch of the plane's length (a pixel is queued at most
    /// once at a time, so it never overflows as a ring buffer).
    /// </summary>
    public static void FillHoles(ReadOnlySpan<float> source, int width, int height, Span<float> destination, Span<int> queue, Span<byte> queued)
    {
        var n = width * height;
        var j = destination[..n];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = y * width + x;
                j[p] = x == 0 || y == 0 || x == width - 1 || y == height - 1 ? source[p] : float.MaxValue;
            }
        }

        // Forward scan: each pixel takes the least of itself and its already-visited neighbours, never below the source.
        for (var y = 1; y < height - 1; y++)
        {
            for (var x = 1; x < width - 1; x++)
            {
                var p = y * width + x;
                var m = Math.Min(Math.Min(j[p], j[p - 1]), Math.Min(Math.Min(j[p - width - 1], j[p - width]), j[p - width + 1]));
                j[p] = Math.Max(source[p], m);
            }
        }

        // Backward scan, queueing pixels from which a lower level can still spread. Only interior pixels are ever queued
        // (the border keeps its value), so a queued pixel's eight neighbours all lie in the plane.
        queued[..n].Clear();
        int head = 0, tail = 0, count = 0;
        for (var y = height - 2; y >= 1; y--)
        {
            for (var x = width - 2; x >= 1; x--)
            {
                var p = y * width + x;
                var m = Math.Min(Math.Min(j[p], j[p + 1]), Math.Min(Math.Min(j[p + width + 1], j[p + width]), j[p + width - 1]));
                var v = Math.Max(source[p], m);
                j[p] = v;
                if ((j[p + 1] > v && j[p + 1] > source[p + 1]) || (j[p + width + 1] > v && j[p + width + 1] > source[p + width + 1])
                    || (j[p + width] > v && j[p + width] > source[p + width]) || (j[p + width - 1] > v && j[p + width - 1] > source[p + width - 1]))
                {
                    queue[tail] = p;
                    tail = tail + 1 == n ? 0 : tail + 1;
                    count++;
                    queued[p] = 1;
                }
            }
        }

        ReadOnlySpan<int> offsets = [-width - 1, -width, -width + 1, -1, 1, width - 1, width, width + 1];
        while (count > 0)
        {
            var p = queue[head];
            head = head + 1 == n ? 0 : head + 1;
            count--;
            queued[p] = 0;
            var v = j[p];
            foreach (var offset in offsets)
            {
                var q = p + offset;
                var jq = j[q];
                var sq = source[q];
                if (jq <= v || jq == sq)
                {
                    continue;
                }

                j[q] = Math.Max(v, sq);
                if (queued[q] == 0)
                {
                    queue[tail] = q;
                    tail = tail + 1 == n ? 0 : tail + 1;
                    count++;
                    queued[q] = 1;
                }
            }
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

        // Blocks of k samples (the last one shorter): extrema from each block's start forwards and from its end backwards.
        var k = 2 * radius + 1;
        for (var start = 0; start < padded; start += k)
        {
            var end = Math.Min(start + k, padded) - 1;
            prefix[start] = line[start];
            for (var i = start + 1; i <= end; i++)
            {
                prefix[i] = Pick(prefix[i - 1], line[i], max);
            }

            suffix[end] = line[end];
            for (var i = end - 1; i >= start; i--)
            {
                suffix[i] = Pick(suffix[i + 1], line[i], max);
            }
        }

        // Window [i, i + k - 1] of the padded line is centred on sample i.
        for (var i = 0; i < length; i++)
        {
            result[i] = Pick(suffix[i], prefix[i + k - 1], max);
        }
    }

    private static float Pick(float a, float b, bool max) => max ? Math.Max(a, b) : Math.Min(a, b);
}
