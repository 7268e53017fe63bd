using System.Buffers;

namespace ChangeWatch.Detection;

/// <summary>
/// Values on a lattice of block centres (block <c>i</c> centred at <c>i · step + step / 2</c>, clamped to the plane)
/// spread over the plane's pixels by bilinear interpolation, constant beyond the outermost centres.
/// </summary>
internal static class BlockLattice
{
    /// <summary>
    /// The median bin of a histogram of <paramref name="total"/> values: the first bin at which more than half have been
    /// counted, or the last bin when none is (no values).
    /// </summary>
    public static int MedianBin(ReadOnlySpan<int> histogram, int total)
    {
        var seen = 0;
        for (var bin = 0; bin < histogram.Length - 1; bin++)
        {
            seen += histogram[bin];
            if (2 * seen > total)
            {
                return bin;
            }
        }

        return histogram.Length - 1;
    }

    /// <summary>
    /// Writes to <paramref name="result"/> (<paramref name="width"/> × <paramref name="height"/>) the bilinear
    /// interpolation of the <paramref name="columns"/> × <paramref name="rows"/> lattice <paramref name="values"/> (row-major)
    /// whose centres lie <paramref name="step"/> pixels apart.
    /// </summary>
    public static void Interpolate(ReadOnlySpan<float> values, int columns, int rows, int step, int width, int height, Span<float> result)
    {
        var rented = ArrayPool<float>.Shared.Rent(width);
        var indices = ArrayPool<int>.Shared.Rent(width);
        try
        {
            // Per column: the left lattice index and the weight of the right one (the same for every row).
            var weights = rented.AsSpan(0, width);
            var left = indices.AsSpan(0, width);
            for (var x = 0; x < width; x++)
            {
                var fx = Math.Clamp((x - step / 2) / (float)step, 0, columns - 1);
                left[x] = (int)fx;
                weights[x] = fx - (int)fx;
            }

            for (var y = 0; y < height; y++)
            {
                var fy = Math.Clamp((y - step / 2) / (float)step, 0, rows - 1);
                var (j0, ty) = ((int)fy, fy - (int)fy);
                var top = values.Slice(j0 * columns, columns);
                var bottom = values.Slice(Math.Min(rows - 1, j0 + 1) * columns, columns);
                var row = result.Slice(y * width, width);
                for (var x = 0; x < width; x++)
                {
                    var (i0, tx) = (left[x], weights[x]);
                    var i1 = Math.Min(columns - 1, i0 + 1);
                    var upper = top[i0] + (top[i1] - top[i0]) * tx;
                    var lower = bottom[i0] + (bottom[i1] - bottom[i0]) * tx;
                    row[x] = upper + (lower - upper) * ty;
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indices);
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
