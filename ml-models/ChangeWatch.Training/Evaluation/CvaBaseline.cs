using ChangeWatch.Detection;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Evaluation;

/// <summary>
/// The reference baseline: change-vector analysis over every band, each band z-scored per date over the image (mean,
/// standard deviation of valid pixels), Euclidean norm of the difference, and an Otsu threshold per image.
/// </summary>
internal static class CvaBaseline
{
    /// <summary>Returns the magnitude per pixel (0 where invalid) and the predicted mask.</summary>
    public static (float[] Magnitude, byte[] Predicted) Run(ChangePair pair)
    {
        var n = pair.PixelCount;
        var valid = new bool[n];
        for (var i = 0; i < n; i++)
        {
            valid[i] = true;
            for (var b = 0; b < pair.Bands; b++)
            {
                if (!float.IsFinite(pair.Before[b * n + i]) || !float.IsFinite(pair.After[b * n + i]))
                {
                    valid[i] = false;
                }
            }
        }

        var squared = new double[n];
        for (var b = 0; b < pair.Bands; b++)
        {
            var (mb, sb) = Moments(pair.Before.AsSpan(b * n, n), valid);
            var (ma, sa) = Moments(pair.After.AsSpan(b * n, n), valid);
            for (var i = 0; i < n; i++)
            {
                if (valid[i])
                {
                    var d = (pair.After[b * n + i] - ma) / sa - (pair.Before[b * n + i] - mb) / sb;
                    squared[i] += d * d;
                }
            }
        }

        var magnitude = new float[n];
        for (var i = 0; i < n; i++)
        {
            magnitude[i] = valid[i] ? (float)Math.Sqrt(squared[i]) : 0f;
        }

        var threshold = ChangeMask.OtsuThreshold(magnitude);
        var predicted = new byte[n];
        for (var i = 0; i < n; i++)
        {
            predicted[i] = valid[i] && magnitude[i] >= threshold ? (byte)1 : (byte)0;
        }

        return (magnitude, predicted);
    }

    private static (double Mean, double Std) Moments(ReadOnlySpan<float> band, bool[] valid)
    {
        double sum = 0, sum2 = 0;
        long count = 0;
        for (var i = 0; i < band.Length; i++)
        {
            if (valid[i])
            {
                sum += band[i];
                sum2 += (double)band[i] * band[i];
                count++;
            }
        }

        var mean = count == 0 ? 0 : sum / count;
        var std = count == 0 ? 1 : Math.Sqrt(Math.Max(0, sum2 / count - mean * mean));
        return (mean, std > 1e-9 ? std : 1);
    }
}
