namespace ChangeWatch.Detection;

/// <summary>Quantiles from a strided sample of at most <see cref="MaxSample"/> valid values (sorting 64 k values per statistic would dominate the cost).</summary>
internal static class RobustStats
{
    public const int MaxSample = 4096;

    /// <summary>Copies a strided sample of the valid values of <paramref name="plane"/> into <paramref name="sample"/>, sorts it, and returns the sample length.</summary>
    public static int SortedSample(ReadOnlySpan<float> plane, ReadOnlySpan<byte> valid, int validCount, Span<float> sample)
    {
        if (validCount == 0)
        {
            return 0;
        }

        var stride = Math.Max(1, (validCount + MaxSample - 1) / MaxSample);
        var n = 0;
        var skip = 0; // valid pixels to pass before the next sampled one (every stride-th, the first included)
        for (var i = 0; i < plane.Length && n < sample.Length; i++)
        {
            if (valid[i] == 0)
            {
                continue;
            }

            if (skip-- == 0)
            {
                sample[n++] = plane[i];
                skip = stride - 1;
            }
        }

        sample[..n].Sort();
        return n;
    }

    /// <summary>Linear-interpolated quantile <paramref name="q"/> (0-1) of a sorted sample; 0 when empty.</summary>
    public static float Quantile(ReadOnlySpan<float> sorted, double q)
    {
        if (sorted.IsEmpty)
        {
            return 0f;
        }

        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(sorted.Length - 1, lo + 1);
        var t = (float)(pos - lo);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * t;
    }

    /// <summary>Mean, standard deviation and maximum over valid pixels.</summary>
    public static (double Mean, double Std, float Max) Moments(ReadOnlySpan<float> plane, ReadOnlySpan<byte> valid)
    {
        double sum = 0, sum2 = 0;
        var n = 0;
        var max = 0f;
        for (var i = 0; i < plane.Length; i++)
        {
            if (valid[i] == 0)
            {
                continue;
            }

            var v = plane[i];
            sum += v;
            sum2 += (double)v * v;
            max = Math.Max(max, v);
            n++;
        }

        if (n == 0)
        {
            return (0, 0, 0);
        }

        var mean = sum / n;
        return (mean, Math.Sqrt(Math.Max(0, sum2 / n - mean * mean)), max);
    }

    /// <summary>Fraction of valid pixels above <paramref name="threshold"/>.</summary>
    public static float FractionAbove(ReadOnlySpan<float> plane, ReadOnlySpan<byte> valid, int validCount, float threshold)
    {
        if (validCount == 0)
        {
            return 0f;
        }

        var n = 0;
        for (var i = 0; i < plane.Length; i++)
        {
            if (valid[i] != 0 && plane[i] > threshold)
            {
                n++;
            }
        }

        return (float)n / validCount;
    }
}
