namespace ChangeWatch.Detection;

/// <summary>Box (local mean) filters through a summed-area table: O(1) per pixel whatever the radius; edges use the part of the window inside the tile.</summary>
internal static class BoxFilter
{
    /// <summary>The summed-area table size for a <paramref name="width"/> × <paramref name="height"/> plane.</summary>
    public static int IntegralLength(int width, int height) => (width + 1) * (height + 1);

    /// <summary>Builds the summed-area table of <paramref name="source"/> (or of its square when <paramref name="squared"/>).</summary>
    public static void Integrate(ReadOnlySpan<float> source, int width, int height, Span<double> integral, bool squared = false)
    {
        var stride = width + 1;
        integral[..stride].Clear();
        for (var y = 0; y < height; y++)
        {
            var row = source.Slice(y * width, width);
            var above = integral.Slice(y * stride, stride);
            var current = integral.Slice((y + 1) * stride, stride);
            current[0] = 0;
            double run = 0;
            for (var x = 0; x < width; x++)
            {
                var v = row[x];
                run += squared ? (double)v * v : v;
                current[x + 1] = above[x + 1] + run;
            }
        }
    }

    /// <summary>Builds the summed-area table of the product of two planes.</summary>
    public static void IntegrateProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int width, int height, Span<double> integral)
    {
        var stride = width + 1;
        integral[..stride].Clear();
        for (var y = 0; y < height; y++)
        {
            var ra = a.Slice(y * width, width);
            var rb = b.Slice(y * width, width);
            var above = integral.Slice(y * stride, stride);
            var current = integral.Slice((y + 1) * stride, stride);
            current[0] = 0;
            double run = 0;
            for (var x = 0; x < width; x++)
            {
                run += (double)ra[x] * rb[x];
                current[x + 1] = above[x + 1] + run;
            }
        }
    }

    /// <summary>Local mean over the (2r+1)² window around each pixel, from a summed-area table.</summary>
    public static void Mean(ReadOnlySpan<double> integral, int width, int height, int radius, Span<float> destination)
    {
        var stride = width + 1;
        for (var y = 0; y < height; y++)
        {
            var y0 = Math.Max(0, y - radius);
            var y1 = Math.Min(height, y + radius + 1);
            var top = integral.Slice(y0 * stride, stride);
            var bottom = integral.Slice(y1 * stride, stride);
            var dst = destination.Slice(y * width, width);
            for (var x = 0; x < width; x++)
            {
                var x0 = Math.Max(0, x - radius);
                var x1 = Math.Min(width, x + radius + 1);
                var sum = bottom[x1] - bottom[x0] - top[x1] + top[x0];
                dst[x] = (float)(sum / ((x1 - x0) * (y1 - y0)));
            }
        }
    }

    /// <summary>Local mean in one step (builds the table in <paramref name="integral"/>).</summary>
    public static void Mean(ReadOnlySpan<float> source, int width, int height, int radius, Span<float> destination, Span<double> integral)
    {
        Integrate(source, width, height, integral);
        Mean(integral, width, height, radius, destination);
    }
}
