using ChangeWatch.Detection;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Modelling;

/// <summary>
/// Training rows sampled from one pair: <see cref="PixelFeatures"/> computed per pipeline tile (with context), then up to
/// a fixed number of changed and unchanged valid core pixels drawn with a seeded hash (the same pair and seed give the
/// same rows). Classes are balanced this way; thresholds are chosen later on validation sites, not from the raw probability.
/// </summary>
internal sealed class PixelSamples
{
    private PixelSamples(string site, float[] features, bool[] labels)
    {
        Site = site;
        Features = features;
        Labels = labels;
    }

    public string Site { get; }

    /// <summary>Row-major, <see cref="PixelFeatures.Count"/> values a row.</summary>
    public float[] Features { get; }

    public bool[] Labels { get; }

    public int Count => Labels.Length;

    /// <summary>
    /// Rows of every pair: its dataset's budget (<paramref name="budgetOf"/> a pair of that dataset) split evenly over that
    /// dataset's pairs, half changed and half unchanged pixels at most; pairs drawn in parallel.
    /// </summary>
    public static Dictionary<ChangePair, PixelSamples> DrawPerDataset(IReadOnlyList<ChangePair> pairs, Func<ChangePair, int> budgetOf, ulong seed)
    {
        var perDataset = pairs.GroupBy(p => p.Dataset).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return pairs.AsParallel().AsOrdered()
            .Select(p =>
            {
                var perPair = budgetOf(p) / perDataset[p.Dataset];
                return (Pair: p, Rows: Draw(p, perPair / 2, perPair / 2, seed));
            })
            .ToDictionary(t => t.Pair, t => t.Rows);
    }

    /// <summary>
    /// Rows of every pair for <see cref="DateOrder.Both"/>: of each pair's share of <paramref name="budget"/> (split evenly
    /// over the pairs, which are of one dataset), a quarter changed and a quarter unchanged pixels with the dates as
    /// given, and as many with the dates swapped (labels unchanged; another draw of pixels). Pairs drawn in parallel.
    /// </summary>
    public static Dictionary<ChangePair, PixelSamples> DrawBothOrders(IReadOnlyList<ChangePair> pairs, int budget, ulong seed)
    {
        var perPair = budget / pairs.Count;
        return pairs.AsParallel().AsOrdered()
            .Select(p =>
            {
                var forward = Draw(p, perPair / 4, perPair / 4, seed);
                var swapped = Draw(p with { Before = p.After, After = p.Before }, perPair / 4, perPair / 4, seed + SwappedSeedOffset);
                return (Pair: p, Rows: new PixelSamples(p.Site, [.. forward.Features, .. swapped.Features], [.. forward.Labels, .. swapped.Labels]));
            })
            .ToDictionary(t => t.Pair, t => t.Rows);
    }

    /// <summary>Added to the seed for the swapped rows, so they are another draw of pixels than the forward ones.</summary>
    internal const ulong SwappedSeedOffset = 101;

    public static PixelSamples Draw(ChangePair pair, int maxChanged, int maxUnchanged, ulong seed)
    {
        long changed = pair.Truth.Count(t => t != 0);
        long unchanged = pair.PixelCount - changed;
        var pChanged = changed == 0 ? 0 : Math.Min(1.0, (double)maxChanged / changed);
        var pUnchanged = unchanged == 0 ? 0 : Math.Min(1.0, (double)maxUnchanged / unchanged);
        var features = new List<float>();
        var labels = new List<bool>();
        var statistics = PairTiling.TileStatistics(pair);
        foreach (var (read, core) in PairTiling.Tiles(pair.Width, pair.Height))
        {
            var (before, after) = PairTiling.Crop(pair, read);
            var n = read.Width * read.Height;
            var planes = new float[PixelFeatures.Count * n];
            var valid = new byte[n];
            PixelFeatures.Compute(before, after, planes, valid, 1, statistics);
            for (var y = core.Y; y < core.Y + core.Height; y++)
            {
                for (var x = core.X; x < core.X + core.Width; x++)
                {
                    var global = y * pair.Width + x;
                    var local = (y - read.Y) * read.Width + (x - read.X);
                    if (valid[local] == 0)
                    {
                        continue;
                    }

                    var isChanged = pair.Truth[global] != 0;
                    if (Uniform(seed, (ulong)global) >= (isChanged ? pChanged : pUnchanged))
                    {
                        continue;
                    }

                    for (var f = 0; f < PixelFeatures.Count; f++)
                    {
                        features.Add(planes[f * n + local]);
                    }

                    labels.Add(isChanged);
                }
            }
        }

        return new PixelSamples(pair.Site, [.. features], [.. labels]);
    }

    /// <summary>A copy of these rows with the given features (plane indices of <see cref="PixelFeatures"/>) set to 0 in every row, so no tree can split on them.</summary>
    public PixelSamples WithFeaturesAtZero(IReadOnlyCollection<int> features)
    {
        var copy = (float[])Features.Clone();
        for (var r = 0; r < Count; r++)
        {
            foreach (var f in features)
            {
                copy[r * PixelFeatures.Count + f] = 0;
            }
        }

        return new PixelSamples(Site, copy, Labels);
    }

    /// <summary>A uniform number in [0, 1) from a SplitMix64 hash of seed and index.</summary>
    private static double Uniform(ulong seed, ulong index)
    {
        var z = seed * 0x9E3779B97F4A7C15UL + index + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
