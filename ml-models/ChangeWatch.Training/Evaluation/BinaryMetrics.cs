namespace ChangeWatch.Training.Evaluation;

/// <summary>Figures of a binary flagger at one threshold, plus threshold-free AUC and calibration measures.</summary>
internal sealed record BinaryMetrics(
    int Count, int Positives, int TruePositives, int FalsePositives, int FalseNegatives,
    double Precision, double Recall, double F1, double FalseAlarmRate, double Auc, double LogLoss, double Brier)
{
    public static BinaryMetrics Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> labels, double threshold)
    {
        int tp = 0, fp = 0, fn = 0, positives = 0;
        double logLoss = 0, brier = 0;
        for (var i = 0; i < scores.Count; i++)
        {
            var s = scores[i];
            var y = labels[i];
            positives += y ? 1 : 0;
            var flagged = s >= threshold;
            if (flagged && y)
            {
                tp++;
            }
            else if (flagged)
            {
                fp++;
            }
            else if (y)
            {
                fn++;
            }

            var p = Math.Clamp(s, 1e-6, 1 - 1e-6);
            logLoss -= y ? Math.Log(p) : Math.Log(1 - p);
            brier += (s - (y ? 1 : 0)) * (s - (y ? 1 : 0));
        }

        var negatives = scores.Count - positives;
        var precision = tp + fp == 0 ? 1.0 : (double)tp / (tp + fp);
        var recall = positives == 0 ? 0.0 : (double)tp / positives;
        var f1 = precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
        var n = Math.Max(1, scores.Count);
        return new BinaryMetrics(scores.Count, positives, tp, fp, fn, precision, recall, f1,
            negatives == 0 ? 0.0 : (double)fp / negatives, AreaUnderRoc(scores, labels), logLoss / n, brier / n);
    }

    /// <summary>Area under the ROC curve (Mann-Whitney, ties counted half).</summary>
    public static double AreaUnderRoc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSumPositives = 0;
        long positives = 0;
        var r = 0;
        while (r < order.Length)
        {
            var end = r;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[r]])
            {
                end++;
            }

            var rank = (r + end) / 2.0 + 1;
            for (var k = r; k <= end; k++)
            {
                if (labels[order[k]])
                {
                    rankSumPositives += rank;
                    positives++;
                }
            }

            r = end + 1;
        }

        var negatives = scores.Count - positives;
        return positives == 0 || negatives == 0 ? double.NaN : (rankSumPositives - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }

    /// <summary>
    /// The threshold with the highest F1 among those reaching <paramref name="minPrecision"/>; when none does, the
    /// highest-F1 threshold. Candidates are the observed scores.
    /// </summary>
    public static double ChooseThreshold(IReadOnlyList<double> scores, IReadOnlyList<bool> labels, double minPrecision)
    {
        var candidates = scores.Distinct().Order().ToArray();
        double bestF1 = -1, bestThreshold = 0.5, fallbackF1 = -1, fallbackThreshold = 0.5;
        foreach (var t in candidates)
        {
            var m = Compute(scores, labels, t);
            if (m.F1 > fallbackF1)
            {
                fallbackF1 = m.F1;
                fallbackThreshold = t;
            }

            if (m.Precision >= minPrecision && m.F1 > bestF1)
            {
                bestF1 = m.F1;
                bestThreshold = t;
            }
        }

        return bestF1 >= 0 ? bestThreshold : fallbackThreshold;
    }

    /// <summary>The same figures with the probability-only ones (log loss, Brier) blanked, for raw scores that are not probabilities.</summary>
    public BinaryMetrics WithoutProbabilityScores() => this with { LogLoss = double.NaN, Brier = double.NaN };

    /// <summary>The figures by name, rounded; NaN figures (undefined) are left out, since JSON has no NaN.</summary>
    public IReadOnlyDictionary<string, double> ToDictionary() => new Dictionary<string, double>
    {
        ["pairs"] = Count,
        ["positives"] = Positives,
        ["precision"] = Math.Round(Precision, 4),
        ["recall"] = Math.Round(Recall, 4),
        ["f1"] = Math.Round(F1, 4),
        ["auc"] = Math.Round(Auc, 4),
        ["falseAlarmRate"] = Math.Round(FalseAlarmRate, 4),
        ["logLoss"] = Math.Round(LogLoss, 4),
        ["brier"] = Math.Round(Brier, 4),
    }.Where(kv => double.IsFinite(kv.Value)).ToDictionary();

    public override string ToString() =>
        $"n={Count} pos={Positives} P={Precision:F3} R={Recall:F3} F1={F1:F3} AUC={Auc:F4} FAR={FalseAlarmRate:F3} logloss={LogLoss:F3} brier={Brier:F3}";
}
