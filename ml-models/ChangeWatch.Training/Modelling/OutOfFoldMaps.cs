using ChangeWatch.Detection;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Modelling;

/// <summary>
/// Out-of-fold probability maps for choosing thresholds without the scored site: the pairs' sites (grouped by dataset and
/// site, in ordinal order) are dealt round-robin into up to <c>folds</c> folds; for each fold a pixel model is trained
/// on the other folds' samples and scores the fold's pairs as the pipeline scores tiles. A site is never split between
/// training and scoring.
/// </summary>
internal static class OutOfFoldMaps
{
    /// <summary>
    /// The maps of the pairs <paramref name="scored"/> accepts (every pair when null), in fold order; a fold with nothing
    /// left to train on is skipped. <paramref name="log"/>, when given, gets one line per fold. With
    /// <paramref name="masks"/>, each scored pair's mask as the fold's model thresholds its tiles
    /// (<see cref="PixelChangeModel.TileThreshold"/>; the model is <paramref name="wrap"/> of the fold's trees, by default
    /// with threshold 0.5) is added there too. <paramref name="repetition"/> above 0 deals the sites into the folds in
    /// another order (<see cref="Deal"/>).
    /// </summary>
    public static Dictionary<ChangePair, float[]> Score(
        IReadOnlyList<ChangePair> pairs, IReadOnlyDictionary<ChangePair, PixelSamples> samples, PixelTreeSettings trees, ulong seed,
        int stride, double gate, int folds = 3, Func<ChangePair, bool>? scored = null, TextWriter? log = null,
        Func<PixelTreeModel, PixelChangeModel>? wrap = null, IDictionary<ChangePair, byte[]>? masks = null, int repetition = 0)
    {
        var maps = new Dictionary<ChangePair, float[]>();
        var fold = 0;
        foreach (var (foldTrees, held) in Folds(pairs, samples, trees, seed, folds, repetition))
        {
            var model = wrap?.Invoke(foldTrees) ?? new PixelChangeModel(foldTrees, 0.5, stride, gate);
            foreach (var pair in held.Where(p => scored?.Invoke(p) ?? true))
            {
                maps[pair] = PixelImageScorer.Score(model, pair, out var mask);
                masks?.Add(pair, mask);
            }

            log?.WriteLine($"fold {fold++}: {held.Select(p => p.Dataset + "/" + p.Site).Distinct().Count()} validation sites");
        }

        return maps;
    }

    /// <summary>
    /// As <see cref="Score"/> without masks, the maps smoothed by each of <paramref name="smoothings"/> (entry k of a
    /// pair's array: smoothing k) from one ensemble pass per tile.
    /// </summary>
    public static Dictionary<ChangePair, float[][]> ScoreEach(
        IReadOnlyList<ChangePair> pairs, IReadOnlyDictionary<ChangePair, PixelSamples> samples, PixelTreeSettings trees, ulong seed,
        int stride, double gate, IReadOnlyList<ProbabilitySmoothing> smoothings, int folds = 3, int repetition = 0)
    {
        var maps = new Dictionary<ChangePair, float[][]>();
        foreach (var (foldTrees, held) in Folds(pairs, samples, trees, seed, folds, repetition))
        {
            var model = new PixelChangeModel(foldTrees, 0.5, stride, gate);
            foreach (var pair in held)
            {
                maps[pair] = PixelImageScorer.ScoreEach(model, pair, smoothings);
            }
        }

        return maps;
    }

    // Each fold's trees (trained on the other folds' samples) and the fold's pairs; folds with nothing to train on are skipped.
    private static IEnumerable<(PixelTreeModel Trees, List<ChangePair> Held)> Folds(
        IReadOnlyList<ChangePair> pairs, IReadOnlyDictionary<ChangePair, PixelSamples> samples, PixelTreeSettings trees, ulong seed, int folds, int repetition)
    {
        static string Group(ChangePair p) => p.Dataset + "/" + p.Site;
        var groups = Deal(pairs.Select(Group), seed, repetition);
        folds = Math.Min(folds, groups.Count);
        for (var fold = 0; fold < folds; fold++)
        {
            var held = groups.Where((_, i) => i % folds == fold).ToHashSet(StringComparer.Ordinal);
            var training = pairs.Where(p => !held.Contains(Group(p))).Select(p => samples[p]).ToList();
            if (training.Count == 0)
            {
                continue;
            }

            yield return (PixelTreeModel.FromTransformer(new PixelModelTrainer(trees, (int)seed).Train(training)), [.. pairs.Where(p => held.Contains(Group(p)))]);
        }
    }

    /// <summary>
    /// The order in which the sites are dealt round-robin into folds: ordinal for <paramref name="repetition"/> 0, else
    /// that order shuffled by a generator seeded by <paramref name="seed"/> and the repetition (another deal, same every run).
    /// </summary>
    internal static List<string> Deal(IEnumerable<string> sites, ulong seed, int repetition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(repetition);
        var order = sites.Distinct().Order(StringComparer.Ordinal).ToList();
        if (repetition > 0)
        {
            var random = new Random(unchecked(((int)seed * 7919) + repetition));
            for (var i = order.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }

        return order;
    }
}
