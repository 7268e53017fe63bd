using System.Buffers;

namespace ChangeWatch.Detection;

/// <summary>
/// Turns a per-pixel change score map (<see cref="TilePairFeatures.Compute"/>) into a binary change mask: the threshold
/// is chosen per tile by Otsu's method on the score map, kept between <see cref="DefaultFloor"/> and <see cref="DefaultCeiling"/>, so a quiet tile gives
/// an empty mask rather than its noise split in two; connected regions smaller than a few pixels are dropped.
/// </summary>
public static class ChangeMask
{
    /// <summary>The lowest threshold used, in score units (z units of the smoothed shift-tolerant change magnitude).</summary>
    public const float DefaultFloor = 0.8f;

    /// <summary>
    /// The highest threshold used: Otsu on a tile with one very strong change (a bright clearing) would otherwise split
    /// that change from everything else and drop the weaker vehicles beside it.
    /// </summary>
    public const float DefaultCeiling = 2.5f;

    /// <summary>Regions smaller than this many pixels are removed.</summary>
    public const int DefaultMinRegionPixels = 6;

    /// <summary>
    /// Derives the mask: a new row-major array of <paramref name="width"/> × <paramref name="height"/> bytes, 1 = change.
    /// </summary>
    /// <param name="scoreMap">Scores, row-major; NaN and negative values count as 0.</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="floor">Lowest threshold allowed.</param>
    /// <param name="minRegionPixels">Smallest 8-connected region kept.</param>
    public static byte[] Derive(ReadOnlySpan<float> scoreMap, int width, int height, float floor = DefaultFloor, int minRegionPixels = DefaultMinRegionPixels)
    {
        var n = width * height;
        if (scoreMap.Length < n)
        {
            throw new ArgumentException("The score map must hold width × height values.", nameof(scoreMap));
        }

        var threshold = Math.Clamp(OtsuThreshold(scoreMap[..n]), floor, Math.Max(floor, DefaultCeiling));
        var mask = new byte[n];
        for (var i = 0; i < n; i++)
        {
            mask[i] = scoreMap[i] >= threshold ? (byte)1 : (byte)0;
        }

        var ints = ArrayPool<int>.Shared.Rent(2 * n);
        try
        {
            BlobCounter.RemoveSmall(mask, width, height, minRegionPixels, ints.AsSpan(0, n), ints.AsSpan(n, n));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(ints);
        }

        return mask;
    }

    /// <summary>Otsu's threshold over a 256-bin histogram of the finite, non-negative values (0 when all are equal).</summary>
    public static float OtsuThreshold(ReadOnlySpan<float> values)
    {
        var max = 0f;
        foreach (var v in values)
        {
            if (float.IsFinite(v) && v > max)
            {
                max = v;
            }
        }

        if (max <= 0f)
        {
            return 0f;
        }

        Span<int> histogram = stackalloc int[256];
        histogram.Clear();
        var scale = 255f / max;
        var total = 0;
        foreach (var v in values)
        {
            if (float.IsFinite(v) && v >= 0f)
            {
                histogram[(int)(v * scale)]++;
                total++;
            }
        }

        double sumAll = 0;
        for (var i = 0; i < 256; i++)
        {
            sumAll += (double)i * histogram[i];
        }

        double sumBelow = 0, best = -1;
        var weightBelow = 0;
        var bestBin = 0;
        for (var t = 0; t < 256; t++)
        {
            weightBelow += histogram[t];
            if (weightBelow == 0)
            {
                continue;
            }

            var weightAbove = total - weightBelow;
            if (weightAbove == 0)
            {
                break;
            }

            sumBelow += (double)t * histogram[t];
            var meanBelow = sumBelow / weightBelow;
            var meanAbove = (sumAll - sumBelow) / weightAbove;
            var between = (double)weightBelow * weightAbove * (meanBelow - meanAbove) * (meanBelow - meanAbove);
            if (between > best)
            {
                best = between;
                bestBin = t;
            }
        }

        return (bestBin + 1) / scale;
    }
}
