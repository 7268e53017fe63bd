namespace ChangeWatch.Training.Evaluation;

/// <summary>Counts of changed and unchanged pixels per probability bin (1000 bins over 0-1), to choose a pixel threshold on validation pixels.</summary>
internal sealed class ThresholdHistogram
{
    public const int Bins = 1000;

    private readonly long[] _changed = new long[Bins + 1];
    private readonly long[] _unchanged = new long[Bins + 1];

    public void Add(ReadOnlySpan<float> probability, ReadOnlySpan<byte> truth, ReadOnlySpan<byte> include)
    {
        for (var i = 0; i < probability.Length; i++)
        {
            if (!include.IsEmpty && include[i] == 0)
            {
                continue;
            }

            var bin = Math.Clamp((int)(probability[i] * Bins), 0, Bins);
            if (truth[i] != 0)
            {
                _changed[bin]++;
            }
            else
            {
                _unchanged[bin]++;
            }
        }
    }

    public void Add(ThresholdHistogram other)
    {
        for (var i = 0; i <= Bins; i++)
        {
            _changed[i] += other._changed[i];
            _unchanged[i] += other._unchanged[i];
        }
    }

    /// <summary>The threshold (a bin edge, k / 1000) with the highest pooled pixel F1, and that F1.</summary>
    public (double Threshold, double F1) Best()
    {
        long totalChanged = _changed.Sum();
        long tp = 0, fp = 0;
        double bestF1 = -1;
        var best = Bins;
        for (var k = Bins; k >= 1; k--)
        {
            tp += _changed[k];
            fp += _unchanged[k];
            var fn = totalChanged - tp;
            var f1 = tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
            if (f1 > bestF1)
            {
                bestF1 = f1;
                best = k;
            }
        }

        return ((double)best / Bins, Math.Max(0, bestF1));
    }
}
