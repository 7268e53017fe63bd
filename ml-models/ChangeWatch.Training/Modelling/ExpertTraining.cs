using System.Globalization;
using ChangeWatch.Detection;
using ChangeWatch.Training.Evaluation;
using ChangeWatch.Training.RealData;
using Microsoft.ML;

namespace ChangeWatch.Training.Modelling;

/// <summary>A trained resolution expert: its trees (and the transformer to save), settings, threshold and how they were chosen.</summary>
internal sealed record TrainedExpert(
    string Dataset, double GroundSampleDistance, PixelTreeSettings Settings, double Threshold, double ValidationF1,
    ITransformer Transformer, PixelTreeModel Trees, IReadOnlyList<(PixelTreeSettings Settings, int? Samples, double F1)> Candidates, int? Samples = null,
    FeatureView? View = null, DateOrder Order = DateOrder.Forward, ProbabilitySmoothing? Smoothing = null)
{
    /// <summary>The smoothing its threshold was chosen with (<see cref="ProbabilitySmoothing.Default"/> unless another was offered and won).</summary>
    public ProbabilitySmoothing SmoothingOrDefault => Smoothing ?? ProbabilitySmoothing.Default;

    /// <summary>The expert as a pixel model uses it: the range <see cref="PixelExpert.RangeFactor"/> either way of its resolution.</summary>
    public PixelExpert ToPixelExpert()
    {
        var (min, max) = PixelExpert.RangeAround(GroundSampleDistance);
        return new PixelExpert(min, max, Trees, Threshold, Smoothing);
    }
}

/// <summary>
/// Trains a resolution expert (<see cref="PixelExpert"/>) on one dataset's pairs: each candidate tree size (and, when
/// sample budgets are offered, each number of training rows drawn from the dataset, when feature views are offered,
/// each <see cref="FeatureView"/>, when date orders are offered, each <see cref="DateOrder"/>, and when smoothings are
/// offered, each <see cref="ProbabilitySmoothing"/> of the same out-of-fold maps) is scored by 3-fold
/// cross-validation over the dataset's sites (folds grouped by site, every map scored as the pipeline scores tiles),
/// repeated over <c>repeats</c> deals of the sites into the folds (the first in ordinal order, the others shuffled by
/// the seed: with 7-10 sites one deal's choice moves with which sites share a fold); the candidate with the best pixel
/// F1 pooled over every deal's out-of-fold maps is kept (the first on a tie), its threshold is the best one on those
/// same maps, and it is retrained on every pair. Nothing outside <c>pairs</c> is seen, so inside a
/// leave-one-site-out fold the test site never chooses the tree size, the sample budget or the threshold.
/// </summary>
internal static class ExpertTraining
{
    /// <summary>
    /// The tree sizes tried by default: only the pooled model's. Choosing between 60 × 31 and 30 × 15 by this
    /// cross-validation inside each leave-one-site-out fold picked almost at random on 7-10 sites (OSCD: differences of
    /// 0.01-0.04 F1 either way between folds) and scored lower than one fixed size (docs/model-evaluation.md, "Model v5");
    /// <c>--expert-trees</c> still tries others.
    /// </summary>
    public static IReadOnlyList<PixelTreeSettings> DefaultCandidates { get; } = [new(60, 31)];

    /// <summary>
    /// Trains the expert on <paramref name="samples"/> (the pooled model's rows of these pairs) or, when
    /// <paramref name="budgets"/> is given, on rows drawn afresh from <paramref name="pairs"/> for each budget
    /// (<see cref="PixelSamples.DrawPerDataset"/>: the budget split evenly over the pairs, classes balanced). With
    /// <see cref="DateOrder.Both"/> among <paramref name="orders"/>, rows of each budget (<paramref name="defaultBudget"/>
    /// for the pooled model's) are also drawn half with the dates swapped (<see cref="PixelSamples.DrawBothOrders"/>).
    /// <paramref name="smoothings"/> (default: <see cref="ProbabilitySmoothing.Default"/> alone) are compared on the same
    /// out-of-fold ensemble outputs, so offering several costs no extra training.
    /// </summary>
    public static TrainedExpert Train(
        IReadOnlyList<ChangePair> pairs, IReadOnlyDictionary<ChangePair, PixelSamples> samples, IReadOnlyList<PixelTreeSettings> candidates,
        int stride, double gate, ulong seed, TextWriter? log = null, IReadOnlyList<int>? budgets = null, IReadOnlyList<FeatureView>? views = null, int repeats = 1,
        IReadOnlyList<DateOrder>? orders = null, int defaultBudget = 40000, IReadOnlyList<ProbabilitySmoothing>? smoothings = null)
    {
        if (pairs.Count == 0 || pairs.Select(p => p.Dataset).Distinct().Count() != 1)
        {
            throw new ArgumentException("An expert is trained on the pairs of one dataset.", nameof(pairs));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);

        var sites = pairs.Select(p => p.Site).Distinct().Count();
        orders ??= [DateOrder.Forward];
        if (orders.Count == 0 || orders.Distinct().Count() != orders.Count)
        {
            throw new ArgumentException("Date orders must be distinct, at least one.", nameof(orders));
        }

        var rows = new List<(int? Budget, DateOrder Order, IReadOnlyDictionary<ChangePair, PixelSamples> Rows)>();
        foreach (var budget in budgets?.Select(b => (int?)b) ?? [null])
        {
            foreach (var order in orders)
            {
                rows.Add((budget, order, order == DateOrder.Both
                    ? PixelSamples.DrawBothOrders(pairs, budget ?? defaultBudget, seed)
                    : budget is { } b ? PixelSamples.DrawPerDataset(pairs, _ => b, seed) : samples));
            }
        }

        views ??= [FeatureView.All];
        smoothings ??= [ProbabilitySmoothing.Default];
        if (smoothings.Count == 0 || smoothings.Distinct().Count() != smoothings.Count)
        {
            throw new ArgumentException("Smoothings must be distinct, at least one.", nameof(smoothings));
        }

        var tried = new List<(PixelTreeSettings Settings, int? Budget, DateOrder Order, FeatureView View, ProbabilitySmoothing Smoothing, double F1, double Threshold)>();
        foreach (var (budget, order, drawn) in rows)
        {
            foreach (var view in views)
            {
                var viewRows = view.Rows(drawn, pairs);
                foreach (var settings in candidates)
                {
                    var histograms = smoothings.Select(_ => new ThresholdHistogram()).ToArray();
                    for (var repetition = 0; repetition < repeats; repetition++)
                    {
                        foreach (var (pair, maps) in OutOfFoldMaps.ScoreEach(pairs, viewRows, settings, seed, stride, gate, smoothings, repetition: repetition))
                        {
                            for (var k = 0; k < maps.Length; k++)
                            {
                                histograms[k].Add(maps[k], pair.Truth, []);
                            }
                        }
                    }

                    for (var k = 0; k < smoothings.Count; k++)
                    {
                        var (threshold, f1) = histograms[k].Best();
                        tried.Add((settings, budget, order, view, smoothings[k], f1, threshold));
                    }
                }
            }
        }

        var best = tried.OrderByDescending(t => t.F1).First();
        var bestRows = best.View.Rows(rows.First(r => r.Budget == best.Budget && r.Order == best.Order).Rows, pairs);
        var final = new PixelModelTrainer(best.Settings, (int)seed);
        var transformer = final.Train(pairs.Select(p => bestRows[p]));
        var dataset = pairs[0].Dataset;
        string Name(PixelTreeSettings s, int? budget, DateOrder order, FeatureView view, ProbabilitySmoothing smoothing) =>
            $"{s.Trees}x{s.Leaves}{(budget is { } b ? $" on {b / 1000}k rows" : string.Empty)}{(orders.Count > 1 ? $" (dates {order.Name()})" : string.Empty)}{(views.Count > 1 ? $" ({view.Name})" : string.Empty)}{(smoothings.Count > 1 ? $" ({smoothing.Name})" : string.Empty)}";
        log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    expert {dataset} ({pairs[0].GroundSampleDistance} m/px, {sites} sites{(repeats > 1 ? $", {repeats} deals" : string.Empty)}): {string.Join(", ", tried.Select(t => $"{Name(t.Settings, t.Budget, t.Order, t.View, t.Smoothing)} F1 {t.F1:F3}"))} -> {Name(best.Settings, best.Budget, best.Order, best.View, best.Smoothing)}, threshold {best.Threshold:F3}"));
        return new TrainedExpert(
            dataset, pairs[0].GroundSampleDistance, best.Settings, best.Threshold, best.F1, transformer,
            PixelTreeModel.FromTransformer(transformer), [.. tried.Select(t => (t.Settings, t.Budget, t.F1))], best.Budget, best.View, best.Order,
            smoothings.Count > 1 || best.Smoothing != ProbabilitySmoothing.Default ? best.Smoothing : null);
    }
}
