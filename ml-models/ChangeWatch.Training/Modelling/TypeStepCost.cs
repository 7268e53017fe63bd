using System.Diagnostics;
using System.Globalization;
using ChangeWatch.Detection;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Training.Modelling;

/// <summary>
/// What the type step costs per flagged tile, single-threaded on 256-px, 3-band pairs (build-up, departure, earthworks,
/// construction in turn, seeds fixed): the minimum of 5 runs per pair, averaged over 20 pairs, for the tile-pair
/// features, the extra type features and the model's prediction. Wall-clock figures: they move with the machine's load.
/// </summary>
/// <param name="TilePairMs">Milliseconds for <see cref="TilePairFeatures.Compute"/>.</param>
/// <param name="ExtraMs">Milliseconds for <see cref="ChangeTypeFeatures.ComputeExtras"/>.</param>
/// <param name="PredictMs">Milliseconds for the model's prediction alone (null when no model was given).</param>
/// <param name="LoadAverage">The one-minute load average when measured (null where unknown).</param>
internal sealed record TypeStepCost(double TilePairMs, double ExtraMs, double? PredictMs, double? LoadAverage)
{
    public static TypeStepCost Measure(ChangeTypeModel? model = null)
    {
        var pairs = Enumerable.Range(0, 20)
            .Select(i => new SyntheticScene(256, 256, ScenarioRandom.Mix(0x7C05, (ulong)i)).AddRandomChange((ChangeKind)(1 + (i % 4))).Render())
            .ToList();
        var f = new float[ChangeTypeFeatures.Count];
        double tile = 0, extra = 0, predict = 0;
        foreach (var p in pairs)
        {
            double t = double.MaxValue, e = double.MaxValue, m = double.MaxValue;
            for (var r = 0; r < 5; r++)
            {
                var t0 = Stopwatch.GetTimestamp();
                TilePairFeatures.Compute(p.Before, p.After, f.AsSpan(0, TilePairFeatures.Count));
                var t1 = Stopwatch.GetTimestamp();
                ChangeTypeFeatures.ComputeExtras(p.Before, p.After, f.AsSpan(TilePairFeatures.Count));
                var t2 = Stopwatch.GetTimestamp();
                model?.Classify(f.AsSpan(0, model.FeatureCount));
                var t3 = Stopwatch.GetTimestamp();
                t = Math.Min(t, Ms(t1 - t0));
                e = Math.Min(e, Ms(t2 - t1));
                m = Math.Min(m, Ms(t3 - t2));
            }

            (tile, extra, predict) = (tile + t, extra + e, predict + m);
        }

        return new TypeStepCost(tile / pairs.Count, extra / pairs.Count, model is null ? null : predict / pairs.Count, LoadAverageNow());
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"tile-pair features {TilePairMs:F2} ms, extra type features {ExtraMs:F2} ms{(PredictMs is { } p ? $", prediction {p:F3} ms" : string.Empty)} per 256-px tile (one thread, min of 5 runs, 20 pairs{(LoadAverage is { } l ? $", load average {l:F1}" : string.Empty)})");

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double? LoadAverageNow()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(text, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
