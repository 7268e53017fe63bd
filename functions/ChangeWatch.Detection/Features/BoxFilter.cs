using System.Numerics;

namespace ChangeWatch.Detection;

/// <summary>Box (local mean) filters through a summed-area table: O(1) per pixel whatever the radius; edges use the part of the window inside the tile.</summary>
internal static class BoxFilter
{
    /// <summary>The summed-area table size for a <paramref name="width"/> × <paramref name="height"/> plane.</summary>
    public static int IntegralLength(int width, int height) => (width + 1) * (height + 1);

    /// <summary>Builds the summed-area table of <paramref name="source"/> (or of its square when <paramref name="squared"/>).</summary>
    public static void Integrate(ReadOnlySpan<float> source, int width, int height, Span<double> integral, bool squared = false)
    {
        if (squared)
        {
            Integrate<Squared>(source, source, width, height, integral);
        }
        else
        {
            Integrate<Plain>(source, source, width, height, integral);
        }
    }

    /// <summary>Builds the summed-area table of the product of two planes.</summary>
    public static void IntegrateProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int width, int height, Span<double> integral) =>
        Integrate<Product>(a, b, width, height, integral);

    /// <summary>
    /// Four rows at a time (then two, then one), so the running row sums (each a chain of dependent additions) overlap;
    /// every entry is the same sum, in the same order, as one row at a time would give.
    /// </summary>
    private static void Integrate<TValue>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int width, int height, Span<double> integral)
        where TValue : struct, IPixelValue
    {
        var stride = width + 1;
        integral[..stride].Clear();
        var y = 0;
        for (; y + 3 < height; y += 4)
        {
            var a0 = a.Slice(y * width, width);
            var b0 = b.Slice(y * width, width);
            var a1 = a.Slice((y + 1) * width, width);
            var b1 = b.Slice((y + 1) * width, width);
            var a2 = a.Slice((y + 2) * width, width);
            var b2 = b.Slice((y + 2) * width, width);
            var a3 = a.Slice((y + 3) * width, width);
            var b3 = b.Slice((y + 3) * width, width);
            var above = integral.Slice(y * stride, stride);
            var current0 = integral.Slice((y + 1) * stride, stride);
            var current1 = integral.Slice((y + 2) * stride, stride);
            var current2 = integral.Slice((y + 3) * stride, stride);
            var current3 = integral.Slice((y + 4) * stride, stride);
            current0[0] = 0;
            current1[0] = 0;
            current2[0] = 0;
            current3[0] = 0;
            double run0 = 0, run1 = 0, run2 = 0, run3 = 0;
            for (var x = 0; x < width; x++)
            {
                run0 += TValue.Of(a0[x], b0[x]);
                run1 += TValue.Of(a1[x], b1[x]);
                run2 += TValue.Of(a2[x], b2[x]);
                run3 += TValue.Of(a3[x], b3[x]);
                var first = above[x + 1] + run0;
                var second = first + run1;
                var third = second + run2;
                current0[x + 1] = first;
                current1[x + 1] = second;
                current2[x + 1] = third;
                current3[x + 1] = third + run3;
            }
        }

        for (; y + 1 < height; y += 2)
        {
            var a0 = a.Slice(y * width, width);
            var b0 = b.Slice(y * width, width);
            var a1 = a.Slice((y + 1) * width, width);
            var b1 = b.Slice((y + 1) * width, width);
            var above = integral.Slice(y * stride, stride);
            var current0 = integral.Slice((y + 1) * stride, stride);
            var current1 = integral.Slice((y + 2) * stride, stride);
            current0[0] = 0;
            current1[0] = 0;
            double run0 = 0, run1 = 0;
            for (var x = 0; x < width; x++)
            {
                run0 += TValue.Of(a0[x], b0[x]);
                run1 += TValue.Of(a1[x], b1[x]);
                var middle = above[x + 1] + run0;
                current0[x + 1] = middle;
                current1[x + 1] = middle + run1;
            }
        }

        for (; y < height; y++)
        {
            var ra = a.Slice(y * width, width);
            var rb = b.Slice(y * width, width);
            var above = integral.Slice(y * stride, stride);
            var current = integral.Slice((y + 1) * stride, stride);
            current[0] = 0;
            double run = 0;
            for (var x = 0; x < width; x++)
            {
                run += TValue.Of(ra[x], rb[x]);
                current[x + 1] = above[x + 1] + run;
            }
        }
    }

    /// <summary>Local mean over the (2r+1)² window around each pixel, from a summed-area table.</summary>
    public static void Mean(ReadOnlySpan<double> integral, int width, int height, int radius, Span<float> destination) =>
        Mean(integral, width, height, radius, destination, 1);

    /// <summary>
    /// Local mean over the (2r+1)² window around every <paramref name="stride"/>-th pixel of every <paramref name="stride"/>-th
    /// row (x, y multiples of the stride), written row-major into <paramref name="destination"/> (grid width × grid height).
    /// </summary>
    public static void Mean(ReadOnlySpan<double> integral, int width, int height, int radius, Span<float> destination, int stride)
    {
        var tableStride = width + 1;
        var gridWidth = (width + stride - 1) / stride;
        for (int y = 0, gy = 0; y < height; y += stride, gy++)
        {
            var y0 = Math.Max(0, y - radius);
            var y1 = Math.Min(height, y + radius + 1);
            var top = integral.Slice(y0 * tableStride, tableStride);
            var bottom = integral.Slice(y1 * tableStride, tableStride);
            var dst = destination.Slice(gy * gridWidth, gridWidth);
            var rows = y1 - y0;

            // Columns whose window lies inside the raster share one area: no clamping there.
            var innerStart = Math.Min(width, radius);
            var innerEnd = Math.Max(innerStart, width - radius);
            var x = 0;
            var g = 0;
            for (; x < innerStart && x < width; x += stride, g++)
            {
                dst[g] = Edge(top, bottom, width, radius, rows, x);
            }

            double area = (2 * radius + 1) * rows;
            if (stride == 1)
            {
                // A vector of columns at a time: the same double operations per column, then the same rounding to float.
                var lanes = Vector<double>.Count;
                var divisor = new Vector<double>(area);
                for (; x + 2 * lanes <= innerEnd; x += 2 * lanes, g += 2 * lanes)
                {
                    var low = WindowSum(top, bottom, x, radius) / divisor;
                    var high = WindowSum(top, bottom, x + lanes, radius) / divisor;
                    Vector.Narrow(low, high).CopyTo(dst.Slice(g, 2 * lanes));
                }
            }

            for (; x < innerEnd; x += stride, g++)
            {
                var sum = bottom[x + radius + 1] - bottom[x - radius] - top[x + radius + 1] + top[x - radius];
                dst[g] = (float)(sum / area);
            }

            for (; x < width; x += stride, g++)
            {
                dst[g] = Edge(top, bottom, width, radius, rows, x);
            }
        }
    }

    /// <summary>The local mean at one pixel, as <see cref="Mean(ReadOnlySpan{double}, int, int, int, Span{float})"/> writes it.</summary>
    public static float MeanAt(ReadOnlySpan<double> integral, int width, int height, int radius, int x, int y) =>
        (float)UnroundedMeanAt(integral, width, height, radius, x, y);

    /// <summary>The local mean at one pixel in double, before <see cref="MeanAt"/> rounds it to float (for differences of two means).</summary>
    public static double UnroundedMeanAt(ReadOnlySpan<double> integral, int width, int height, int radius, int x, int y)
    {
        var tableStride = width + 1;
        var y0 = Math.Max(0, y - radius);
        var y1 = Math.Min(height, y + radius + 1);
        return EdgeMean(integral.Slice(y0 * tableStride, tableStride), integral.Slice(y1 * tableStride, tableStride), width, radius, y1 - y0, x);
    }

    /// <summary>Copies every <paramref name="stride"/>-th value of every <paramref name="stride"/>-th row of a plane into a grid.</summary>
    public static void Sample(ReadOnlySpan<float> plane, int width, int height, int stride, Span<float> destination)
    {
        if (stride == 1)
        {
            plane[..(width * height)].CopyTo(destination);
            return;
        }

        var gridWidth = (width + stride - 1) / stride;
        for (int y = 0, gy = 0; y < height; y += stride, gy++)
        {
            var row = plane.Slice(y * width, width);
            var dst = destination.Slice(gy * gridWidth, gridWidth);
            for (int x = 0, g = 0; x < width; x += stride, g++)
            {
                dst[g] = row[x];
            }
        }
    }

    /// <summary>The window sums of the columns x … x + lanes − 1 (windows inside the raster), as the scalar loop adds them.</summary>
    private static Vector<double> WindowSum(ReadOnlySpan<double> top, ReadOnlySpan<double> bottom, int x, int radius)
    {
        var lanes = Vector<double>.Count;
        var bottomRight = new Vector<double>(bottom.Slice(x + radius + 1, lanes));
        var bottomLeft = new Vector<double>(bottom.Slice(x - radius, lanes));
        var topRight = new Vector<double>(top.Slice(x + radius + 1, lanes));
        var topLeft = new Vector<double>(top.Slice(x - radius, lanes));
        return bottomRight - bottomLeft - topRight + topLeft;
    }

    private static float Edge(ReadOnlySpan<double> top, ReadOnlySpan<double> bottom, int width, int radius, int rows, int x) =>
        (float)EdgeMean(top, bottom, width, radius, rows, x);

    private static double EdgeMean(ReadOnlySpan<double> top, ReadOnlySpan<double> bottom, int width, int radius, int rows, int x)
    {
        var x0 = Math.Max(0, x - radius);
        var x1 = Math.Min(width, x + radius + 1);
        var sum = bottom[x1] - bottom[x0] - top[x1] + top[x0];
        return sum / ((x1 - x0) * rows);
    }

    /// <summary>Local mean in one step (builds the table in <paramref name="integral"/>).</summary>
    public static void Mean(ReadOnlySpan<float> source, int width, int height, int radius, Span<float> destination, Span<double> integral)
    {
        Integrate(source, width, height, integral);
        Mean(integral, width, height, radius, destination);
    }

    /// <summary>What a summed-area table sums per pixel, given the pixel's values in two planes.</summary>
    private interface IPixelValue
    {
        static abstract double Of(float a, float b);
    }

    private readonly struct Plain : IPixelValue
    {
        public static double Of(float a, float b) => a;
    }

    private readonly struct Squared : IPixelValue
    {
        public static double Of(float a, float b) => (double)a * a;
    }

    private readonly struct Product : IPixelValue
    {
        public static double Of(float a, float b) => (double)a * b;
    }
}
