namespace ChangeWatch.Detection;

/// <summary>Grey-level square max and min filters (separable; windows clipped at the plane's edges).</summary>
internal static class GreyMorphology
{
    /// <summary>Square max (<paramref name="max"/> true) or min filter of radius <paramref name="radius"/> into <paramref name="destination"/>.</summary>
    public static void Filter(ReadOnlySpan<float> source, int width, int height, int radius, bool max, Span<float> destination, Span<float> scratch)
    {
        for (var y = 0; y < height; y++)
        {
            var row = source.Slice(y * width, width);
            var dst = scratch.Slice(y * width, width);
            for (var x = 0; x < width; x++)
            {
                var v = row[x];
                var end = Math.Min(width - 1, x + radius);
                for (var k = Math.Max(0, x - radius); k <= end; k++)
                {
                    v = max ? Math.Max(v, row[k]) : Math.Min(v, row[k]);
                }

                dst[x] = v;
            }
        }

        for (var y = 0; y < height; y++)
        {
            var dst = destination.Slice(y * width, width);
            var top = Math.Max(0, y - radius);
            var bottom = Math.Min(height - 1, y + radius);
            scratch.Slice(top * width, width).CopyTo(dst);
            for (var k = top + 1; k <= bottom; k++)
            {
                var other = scratch.Slice(k * width, width);
                for (var x = 0; x < width; x++)
                {
                    dst[x] = max ? Math.Max(dst[x], other[x]) : Math.Min(dst[x], other[x]);
                }
            }
        }
    }
}
