using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Modelling;
using ChangeWatch.Training.RealData;
using Microsoft.ML;

namespace ChangeWatch.Training.Evaluation;

/// <summary>What the eval verb was asked to do.</summary>
internal sealed record EvalOptions(
    string Data, string Dataset, string Mode, string ModelVersion, string ModelsDirectory, string SharedData, bool Json,
    PixelTreeSettings Trees, int SamplesPerDataset, ulong Seed, bool PoolDatasets = true, int Stride = 1, double Gate = 0,
    double? GroundSampleDistance = null, int SyntheticPairs = 0, int SyntheticSamples = 0,
    string? Only = null, string Counts = "test", bool Experts = false, IReadOnlyList<PixelTreeSettings>? ExpertCandidates = null,
    double CountsGsd = 1.0, IReadOnlyList<int>? ExpertSampleBudgets = null, int Seeds = 1, bool Transfer = false, double NuisanceGsd = 1.0, int NuisancePairs = 0, IReadOnlyList<FeatureView>? ExpertViews = null, int ExpertRepeats = 1, string Counter = VehicleCountModel.ShippedVersion, int CountsSceneCount = SyntheticEvaluation.CountSceneCount, IReadOnlyList<DateOrder>? ExpertOrders = null, IReadOnlyList<ProbabilitySmoothing>? ExpertSmoothings = null, bool Explain = false);

/// <summary>
/// The eval verb: reads a labelled dataset, runs the model (shipped, leave-one-site-out or cross-dataset) and the
/// CVA + Otsu baseline on the same pairs, and prints pixel and 64-px cell precision, recall, F1, the cell ROC AUC and
/// the trivial all-changed cell F1; with --json the last line is one JSON object.
/// </summary>
internal static class EvalCommand
{
    public static int Run(EvalOptions options, TextWriter output)
    {
        if (string.Equals(options.Dataset, SyntheticEvaluation.Dataset, StringComparison.Ordinal))
        {
            return SyntheticEvaluation.Run(options, output);
        }

        if (options.Seeds < 1 || (options.Seeds > 1 && options.Mode == "shipped"))
        {
            throw new FormatException("--seeds takes 1 or more, and more than 1 only with --mode loso or cross (the shipped model has no sampling seed).");
        }

        var clock = Stopwatch.StartNew();
        var pairs = ChangeDatasetReader.Read(options.Data, options.Dataset, options.GroundSampleDistance);
        output.WriteLine($"{options.Dataset}: {pairs.Count} pairs, {pairs.Select(p => p.Site).Distinct().Count()} sites, {pairs.Sum(p => (long)p.PixelCount) / 1e6:F2} MP at {pairs[0].GroundSampleDistance} m/px from {options.Data}");

        var cva = new ChangeScoring();
        foreach (var pair in pairs)
        {
            var (magnitude, predicted) = CvaBaseline.Run(pair);
            cva.Add(pair, predicted, magnitude);
        }

        // Each seed draws other training rows (and so trains other trees): with 7-11 sites a dataset's loso figure moves
        // by about ±0.02 pixel F1 between seeds, so --seeds K reports the mean and the spread of K runs.
        var runs = new List<(ulong Seed, ChangeScoring Scoring, string Name, Dictionary<string, object> Extra)>();
        for (var k = 0; k < options.Seeds; k++)
        {
            var run = options with { Seed = options.Seed + (ulong)k };
            var scoring = new ChangeScoring();
            var extra = new Dictionary<string, object>();
            var name = options.Mode switch
            {
                "shipped" => Shipped(run, pairs, scoring, output),
                "loso" => LeaveOneSiteOut(run, pairs, scoring, output, extra),
                "cross" => Cross(run, pairs, scoring, output, extra),
                _ => throw new FormatException($"unknown mode '{options.Mode}' (shipped, loso or cross)"),
            };
            runs.Add((run.Seed, scoring, name, extra));
        }

        var (_, model, modelName, modelExtra) = runs[0];
        output.WriteLine();
        output.WriteLine($"dataset {options.Dataset}, mode {options.Mode}, model {modelName}, {clock.Elapsed.TotalSeconds:F0} s");
        output.WriteLine("                 pixel P   pixel R   pixel F1 | cell P   cell R   cell F1  cell AUC");
        foreach (var run in runs)
        {
            Print(output, runs.Count == 1 ? "model" : $"model seed {run.Seed}", run.Scoring);
        }

        Print(output, "cva+otsu", cva);
        output.WriteLine($"{"trivial (cells)",-15}                                | {model.TrivialCells.Precision,6:F3}   {model.TrivialCells.Recall,6:F3}   {model.TrivialCells.F1,6:F3}");
        var modelFigures = runs.Count == 1
            ? Figures(model, includeAuc: true, modelExtra.Append(new("version", modelName)))
            : MeanFigures(runs.Select(r => Figures(r.Scoring, includeAuc: true, [])).ToList(), runs.Select(r => r.Seed).ToList(), modelName);
        if (runs.Count > 1)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mean of {runs.Count} seeds: pixel F1 {modelFigures["pixel_f1"]} ({runs.Min(r => r.Scoring.Pixels.F1):F3}-{runs.Max(r => r.Scoring.Pixels.F1):F3}), cell F1 {modelFigures["cell_f1"]}, cell AUC {modelFigures["cell_auc"]} ({runs.Min(r => r.Scoring.CellAuc):F3}-{runs.Max(r => r.Scoring.CellAuc):F3})"));
        }

        output.WriteLine($"cells: {model.Cells.TruePositives + model.Cells.FalseNegatives} changed of {model.CellScores.Count + 0}; ratio model/cva pixel F1 = {(cva.Pixels.F1 > 0 ? (double)modelFigures["pixel_f1"] / cva.Pixels.F1 : 0):F2}");
        if (options.Json)
        {
            var json = new Dictionary<string, object>
            {
                ["dataset"] = options.Dataset,
                ["mode"] = options.Mode,
                ["model"] = modelFigures,
                ["cva"] = Figures(cva, includeAuc: false, []),
                ["trivial_cell_f1"] = Round(model.TrivialCells.F1),
            };
            output.WriteLine(JsonSerializer.Serialize(json, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        }

        return 0;
    }

    internal static string Shipped(EvalOptions options, IReadOnlyList<ChangePair> pairs, ChangeScoring scoring, TextWriter output)
    {
        var folder = Path.Combine(options.ModelsDirectory, options.ModelVersion);
        var manifest = ModelManifest.Read(Path.Combine(folder, "model.json"));
        if (string.Equals(manifest.Kind, ModelManifest.PixelKind, StringComparison.Ordinal))
        {
            var loaded = PixelModelFile.Load(folder);
            var pixelModel = options.Stride > 1 || options.Gate > 0 ? loaded.With(stride: options.Stride, gate: options.Gate) : loaded;
            var threshold = pixelModel.ThresholdFor(pairs[0].GroundSampleDistance);
            output.WriteLine(pixelModel.IsAdaptiveAt(pairs[0].GroundSampleDistance)
                ? $"model {options.ModelVersion}: pixel model, {pixelModel.Trees.TreeCount} trees, adaptive threshold (Otsu per tile, at least {pixelModel.Threshold:F3}) at {pairs[0].GroundSampleDistance} m/px"
                : pixelModel.ExpertFor(pairs[0].GroundSampleDistance) is { } expert
                    ? $"model {options.ModelVersion}: pixel model, its resolution expert for {expert.MinGroundSampleDistance:0.###}-{expert.MaxGroundSampleDistance:0.###} m/px ({expert.Trees.TreeCount} trees), threshold {threshold:F3} at {pairs[0].GroundSampleDistance} m/px"
                    : $"model {options.ModelVersion}: pixel model, {pixelModel.Trees.TreeCount} trees, threshold {threshold:F3} at {pairs[0].GroundSampleDistance} m/px (default {pixelModel.Threshold:F3})");
            // The synthetic test set's seed families are never trained on (a model's "synthetic pairs" are other families).
            if (options.Dataset != SyntheticEvaluation.Dataset && manifest.TrainedOn.Contains(options.Dataset, StringComparison.OrdinalIgnoreCase))
            {
                output.WriteLine($"NOTE: {options.ModelVersion} was trained on {options.Dataset} pairs ({manifest.TrainedOn}); on those pairs these figures are in-sample, not an estimate for new places: use --mode loso.");
            }
            foreach (var pair in pairs)
            {
                PixelImageScorer.Score(pixelModel, pair, out var mask, out var evidence);
                scoring.Add(pair, mask, evidence);
            }

            return options.ModelVersion;
        }

        // Tile model (v1): flagged tiles carry the scorer's mask; the cell score is its tile's probability.
        var scorer = new MlNetChangeScorer(options.ModelsDirectory, options.ModelVersion);
        output.WriteLine($"model {options.ModelVersion}: tile model, threshold {scorer.Model.Threshold:F3}");
        foreach (var pair in pairs)
        {
            var predicted = new byte[pair.PixelCount];
            var score = new float[pair.PixelCount];
            foreach (var (read, core) in PairTiling.Tiles(pair.Width, pair.Height, 256))
            {
                var (before, after) = PairTiling.Crop(pair, read);
                var assessment = scorer.Assess(before, after, CancellationToken.None);
                for (var y = core.Y; y < core.Y + core.Height; y++)
                {
                    for (var x = core.X; x < core.X + core.Width; x++)
                    {
                        var local = (y - read.Y) * read.Width + (x - read.X);
                        score[y * pair.Width + x] = (float)assessment.Probability;
                        predicted[y * pair.Width + x] = assessment.ChangeMask?[local] ?? 0;
                    }
                }
            }

            scoring.Add(pair, predicted, score);
        }

        return options.ModelVersion;
    }

    private static string LeaveOneSiteOut(EvalOptions options, IReadOnlyList<ChangePair> pairs, ChangeScoring scoring, TextWriter output, Dictionary<string, object> extra)
    {
        var others = options.PoolDatasets ? OtherDatasets(options, output) : [];
        others.AddRange(SyntheticTraining(options, output));
        others.AddRange(NuisanceTraining(options, output));
        var all = pairs.Concat(others).ToList();
        var samples = DrawSamples(options, all);
        var sites = pairs.Select(p => p.Site).Distinct().ToList();
        var tested = pairs.ToHashSet(ReferenceEqualityComparer.Instance);
        var maps = new Dictionary<ChangePair, float[]>();
        var evidenceMaps = new Dictionary<ChangePair, float[]>();
        var histograms = new Dictionary<string, ThresholdHistogram>();
        var expertThresholds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var site in sites)
        {
            var clock = Stopwatch.StartNew();
            var testPairs = pairs.Where(p => p.Site == site).ToList();
            var training = all.Where(p => !(tested.Contains(p) && p.Site == site)).ToList();
            var expert = options.Experts ? ExpertFor(options, training, samples, testPairs[0].GroundSampleDistance, output) : null;
            var model = expert is not null
                ? new PixelChangeModel(expert.Trees, expert.Threshold, options.Stride, options.Gate) { Smoothing = expert.SmoothingOrDefault }
                : new PixelChangeModel(PixelTreeModel.FromTransformer(new PixelModelTrainer(options.Trees, (int)options.Seed).Train(training.Select(p => samples[p]))), 0.5, options.Stride, options.Gate);
            if (expert is not null)
            {
                expertThresholds[site] = expert.Threshold;
            }

            var histogram = new ThresholdHistogram();
            foreach (var pair in testPairs)
            {
                var (probability, evidence) = PixelImageScorer.ScoreWithEvidence(model, pair, PairTiling.ScoringTileSize);
                maps[pair] = probability;
                evidenceMaps[pair] = evidence;
                histogram.Add(probability, pair.Truth, []);
            }

            histograms[site] = histogram;
            output.WriteLine($"  fold {site}: {(expert is null ? $"pooled model on {training.Sum(p => samples[p].Count)} rows" : $"{expert.Dataset} expert {expert.Settings.Trees}x{expert.Settings.Leaves}")}, {clock.Elapsed.TotalSeconds:F1} s");
        }

        // Each site's threshold is chosen on the other sites' out-of-fold maps (never on its own labels); a site scored by
        // a resolution expert takes the expert's own threshold, chosen inside its training sites as the shipped model's is.
        var thresholds = new List<double>();
        foreach (var site in sites)
        {
            var validation = new ThresholdHistogram();
            foreach (var other in sites.Where(s => s != site))
            {
                validation.Add(histograms[other]);
            }

            var (threshold, _) = expertThresholds.TryGetValue(site, out var own) ? (own, 0) : sites.Count > 1 ? validation.Best() : (0.5, 0);
            thresholds.Add(threshold);
            foreach (var pair in pairs.Where(p => p.Site == site))
            {
                scoring.Add(pair, Threshold(maps[pair], threshold), evidenceMaps[pair]);
            }
        }

        var pooled = new ThresholdHistogram();
        foreach (var h in histograms.Values)
        {
            pooled.Add(h);
        }

        extra["threshold_mean"] = Round(thresholds.Average());
        extra["oracle_pixel_f1"] = Round(pooled.Best().F1);
        extra["trained_on"] = string.Join("+", all.Select(p => p.Dataset).Distinct());
        extra["expert_sites"] = expertThresholds.Count;
        output.WriteLine($"  thresholds per site (chosen on the other sites): {string.Join(" ", thresholds.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}; one pooled best threshold would give pixel F1 {pooled.Best().F1:F3} (oracle, not reported as the figure)");
        return $"pixel-gbt loso ({options.Trees.Trees} trees × {options.Trees.Leaves} leaves{(options.Experts ? ", resolution experts" : string.Empty)})";
    }

    private static string Cross(EvalOptions options, IReadOnlyList<ChangePair> pairs, ChangeScoring scoring, TextWriter output, Dictionary<string, object> extra)
    {
        var others = OtherDatasets(options, output);
        if (others.Count == 0)
        {
            throw new InvalidDataException($"cross mode needs the other datasets under {options.SharedData}.");
        }

        others.AddRange(SyntheticTraining(options, output));
        others.AddRange(NuisanceTraining(options, output));

        var samples = DrawSamples(options, others);
        var crossExpert = options.Experts ? ExpertFor(options, others, samples, pairs[0].GroundSampleDistance, output) : null;
        if (options.Experts)
        {
            output.WriteLine(crossExpert is null
                ? $"  no training dataset's expert covers {pairs[0].GroundSampleDistance} m/px: the pooled model scores"
                : $"  the {crossExpert.Dataset} expert covers {pairs[0].GroundSampleDistance} m/px and scores");
        }

        if (crossExpert is not null)
        {
            var expertModel = new PixelChangeModel(crossExpert.Trees, crossExpert.Threshold, options.Stride, options.Gate) { Smoothing = crossExpert.SmoothingOrDefault };
            foreach (var pair in pairs)
            {
                var (probability, evidence) = PixelImageScorer.ScoreWithEvidence(expertModel, pair, PairTiling.ScoringTileSize);
                scoring.Add(pair, Threshold(probability, crossExpert.Threshold), evidence);
            }

            extra["threshold"] = Round(crossExpert.Threshold);
            extra["trained_on"] = crossExpert.Dataset;
            return $"pixel-gbt cross ({crossExpert.Dataset} expert {crossExpert.Settings.Trees}x{crossExpert.Settings.Leaves})";
        }

        extra["trained_on"] = string.Join("+", others.Select(p => p.Dataset).Distinct());
        if (options.Transfer)
        {
            // The pooled model as train-pixel builds it for resolutions no expert serves (TransferRecipe): nothing is
            // chosen on the training datasets' maps, so no out-of-fold maps are needed.
            var transfer = TransferRecipe.Model(
                PixelTreeModel.FromTransformer(new PixelModelTrainer(options.Trees, (int)options.Seed).Train(TransferRecipe.Rows(samples).Values)), options.Stride, options.Gate);
            output.WriteLine($"  transfer recipe: pooled model without {TransferRecipe.Excluded.Count} dataset-naming features, each tile thresholded by Otsu's threshold on its probabilities, at least {TransferRecipe.Floor:F2}");
            var best = new ThresholdHistogram();
            foreach (var pair in pairs)
            {
                var probability = PixelImageScorer.Score(transfer, pair, out var mask, PairTiling.ScoringTileSize);
                scoring.Add(pair, mask, probability);
                best.Add(probability, pair.Truth, []);
            }

            var (bestThreshold, bestF1) = best.Best();
            output.WriteLine($"  one threshold for the whole test data, chosen on it, would give pixel F1 {bestF1:F3} at {bestThreshold:F3} (oracle, not reported as the figure)");
            extra["oracle_pixel_f1"] = Round(bestF1);
            extra["oracle_threshold"] = Round(bestThreshold);
            extra["threshold"] = "adaptive";
            return $"pixel-gbt cross ({options.Trees.Trees} trees × {options.Trees.Leaves} leaves, transfer recipe)";
        }

        // Threshold: 3 folds over the training sites (grouped by dataset and site), out-of-fold maps pooled.
        var foldMaps = OutOfFoldMaps.Score(others, samples, options.Trees, options.Seed, options.Stride, options.Gate, scored: p => p.Dataset != SyntheticPixelPairs.Dataset);
        var validation = new ThresholdHistogram();
        foreach (var (pair, map) in foldMaps)
        {
            validation.Add(map, pair.Truth, []);
        }

        var (pooledThreshold, validationF1) = validation.Best();
        var bands = ResolutionThresholdChoice.Choose(foldMaps, output);
        var threshold = ResolutionThreshold.Select(bands, pooledThreshold, pairs[0].GroundSampleDistance);
        output.WriteLine($"  threshold {threshold:F3} for {pairs[0].GroundSampleDistance} m/px chosen on 3-fold out-of-fold maps of the training datasets (pooled: {pooledThreshold:F3}, validation pixel F1 {validationF1:F3})");
        var final = new PixelModelTrainer(options.Trees, (int)options.Seed);
        var finalModel = new PixelChangeModel(PixelTreeModel.FromTransformer(final.Train(others.Select(p => samples[p]))), threshold, options.Stride, options.Gate);
        var oracle = new ThresholdHistogram();
        foreach (var pair in pairs)
        {
            var probability = PixelImageScorer.ScoreWithEvidence(finalModel, pair, PairTiling.ScoringTileSize).Probability;
            scoring.Add(pair, Threshold(probability, threshold), probability);
            oracle.Add(probability, pair.Truth, []);
        }

        var (oracleThreshold, oracleF1) = oracle.Best();
        output.WriteLine($"  the best threshold on the test data itself would be {oracleThreshold:F3}: pixel F1 {oracleF1:F3} (oracle, not reported as the figure)");
        extra["oracle_pixel_f1"] = Round(oracleF1);
        extra["oracle_threshold"] = Round(oracleThreshold);
        extra["threshold"] = Round(threshold);
        return $"pixel-gbt cross ({options.Trees.Trees} trees × {options.Trees.Leaves} leaves)";
    }

    /// <summary>
    /// The resolution expert a model trained on <paramref name="training"/> would use for imagery of
    /// <paramref name="groundSampleDistance"/>: trained on the one real dataset of the training pairs whose range covers
    /// it (tree size and threshold chosen inside those pairs), or null when none does (the pooled model scores).
    /// </summary>
    private static TrainedExpert? ExpertFor(EvalOptions options, IReadOnlyList<ChangePair> training, IReadOnlyDictionary<ChangePair, PixelSamples> samples, double groundSampleDistance, TextWriter output)
    {
        var group = training
            .Where(p => p.Dataset != SyntheticPixelPairs.Dataset)
            .GroupBy(p => p.Dataset)
            .FirstOrDefault(g =>
            {
                var (min, max) = PixelExpert.RangeAround(g.First().GroundSampleDistance);
                return groundSampleDistance >= min && groundSampleDistance <= max;
            });
        return group is null
            ? null
            : ExpertTraining.Train([.. group], samples, options.ExpertCandidates ?? ExpertTraining.DefaultCandidates, options.Stride, options.Gate, options.Seed, output, options.ExpertSampleBudgets, options.ExpertViews, options.ExpertRepeats, options.ExpertOrders, options.SamplesPerDataset, options.ExpertSmoothings);
    }

    private static List<ChangePair> SyntheticTraining(EvalOptions options, TextWriter output)
    {
        if (options.SyntheticPairs <= 0)
        {
            return [];
        }

        output.WriteLine($"  training also on {options.SyntheticPairs} synthetic pairs (seed family {SyntheticSeeds.PixelTraining}, {SyntheticPixelPairs.GroundSampleDistance} m/px)");
        return SyntheticPixelPairs.Generate(options.SyntheticPairs);
    }

    private static List<ChangePair> NuisanceTraining(EvalOptions options, TextWriter output)
    {
        if (options.NuisancePairs <= 0)
        {
            return [];
        }

        output.WriteLine($"  training the pooled model also on {options.NuisancePairs} nuisance-only synthetic pairs (seed family {SyntheticSeeds.PixelNuisanceTraining})");
        return SyntheticPixelPairs.GenerateNuisanceOnly(options.NuisancePairs);
    }

    private static List<ChangePair> OtherDatasets(EvalOptions options, TextWriter output)
    {
        var others = new List<ChangePair>();
        foreach (var kind in ChangeDatasetReader.Kinds.Where(k => k != options.Dataset))
        {
            var dir = Path.Combine(options.SharedData, kind);
            if (!Directory.Exists(dir))
            {
                output.WriteLine($"  {kind}: {dir} absent, not used for training");
                continue;
            }

            var read = ChangeDatasetReader.Read(dir, kind);
            output.WriteLine($"  training also on {kind}: {read.Count} pairs from {dir}");
            others.AddRange(read);
        }

        return others;
    }

    private static Dictionary<ChangePair, PixelSamples> DrawSamples(EvalOptions options, IReadOnlyList<ChangePair> pairs) =>
        PixelSamples.DrawPerDataset(pairs, p => SyntheticPixelPairs.Budget(p.Dataset, options.SamplesPerDataset, options.SyntheticSamples), options.Seed);

    internal static byte[] Threshold(ReadOnlySpan<float> probability, double threshold)
    {
        var mask = new byte[probability.Length];
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = probability[i] >= threshold ? (byte)1 : (byte)0;
        }

        return mask;
    }

    internal static void Print(TextWriter output, string name, ChangeScoring s) =>
        output.WriteLine($"{name,-15}  {s.Pixels.Precision,6:F3}    {s.Pixels.Recall,6:F3}    {s.Pixels.F1,6:F3}  | {s.Cells.Precision,6:F3}   {s.Cells.Recall,6:F3}   {s.Cells.F1,6:F3}   {(s.CellScores.Count > 0 ? s.CellAuc.ToString("F3", CultureInfo.InvariantCulture) : "-")}");

    internal static Dictionary<string, object> Figures(ChangeScoring s, bool includeAuc, IEnumerable<KeyValuePair<string, object>> extra)
    {
        var d = new Dictionary<string, object>
        {
            ["pixel_precision"] = Round(s.Pixels.Precision),
            ["pixel_recall"] = Round(s.Pixels.Recall),
            ["pixel_f1"] = Round(s.Pixels.F1),
            ["cell_precision"] = Round(s.Cells.Precision),
            ["cell_recall"] = Round(s.Cells.Recall),
            ["cell_f1"] = Round(s.Cells.F1),
        };
        if (includeAuc)
        {
            d["cell_auc"] = Round(s.CellAuc);
        }

        foreach (var (k, v) in extra)
        {
            d[k] = v;
        }

        return d;
    }

    /// <summary>The mean of each figure over the seeds' runs, with the pixel F1 and cell AUC of each seed beside it.</summary>
    internal static Dictionary<string, object> MeanFigures(IReadOnlyList<Dictionary<string, object>> runs, IReadOnlyList<ulong> seeds, string modelName)
    {
        var mean = runs[0].Keys.ToDictionary(k => k, k => (object)Round(runs.Average(r => (double)r[k])));
        mean["seeds"] = seeds;
        mean["pixel_f1_by_seed"] = runs.Select(r => r["pixel_f1"]).ToList();
        mean["cell_auc_by_seed"] = runs.Select(r => r["cell_auc"]).ToList();
        mean["version"] = modelName;
        return mean;
    }

    internal static double Round(double v) => Math.Round(v, 4);
}
