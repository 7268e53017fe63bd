using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Evaluation;

/// <summary>
/// Chooses a pixel model's thresholds by resolution (<see cref="ResolutionThreshold"/>) on out-of-fold maps: one per
/// real dataset, the best pixel F1 on its own maps, applying up to the geometric mean of its pixel size and the next
/// coarser dataset's (the coarsest: up to twice its own). Synthetic pairs never set a threshold for real imagery.
/// </summary>
internal static class ResolutionThresholdChoice
{
    public static List<ResolutionThreshold> Choose(IEnumerable<KeyValuePair<ChangePair, float[]>> outOfFoldMaps, TextWriter output)
    {
        var datasets = outOfFoldMaps
            .Where(kv => kv.Key.Dataset != SyntheticPixelPairs.Dataset)
            .GroupBy(kv => kv.Key.Dataset)
            .Select(g => (Name: g.Key, Gsd: g.First().Key.GroundSampleDistance, Maps: g.ToList()))
            .OrderBy(d => d.Gsd)
            .ToList();
        var result = new List<ResolutionThreshold>();
        for (var i = 0; i < datasets.Count; i++)
        {
            var histogram = new ThresholdHistogram();
            foreach (var (pair, map) in datasets[i].Maps)
            {
                histogram.Add(map, pair.Truth, []);
            }

            var (threshold, f1) = histogram.Best();
            var max = i + 1 < datasets.Count ? Math.Sqrt(datasets[i].Gsd * datasets[i + 1].Gsd) : 2 * datasets[i].Gsd;
            if (i > 0 && max <= result[^1].MaxGroundSampleDistance)
            {
                continue; // two datasets of one pixel size: the first keeps the band
            }

            output.WriteLine($"  {datasets[i].Name} ({datasets[i].Gsd} m/px): threshold {threshold:F3} (out-of-fold pixel F1 {f1:F3}), applied up to {max:F2} m/px");
            result.Add(new ResolutionThreshold(Math.Round(max, 3), threshold));
        }

        return result;
    }
}
