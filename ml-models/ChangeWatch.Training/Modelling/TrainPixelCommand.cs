using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Evaluation;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Modelling;

/// <summary>What train-pixel was asked to do.</summary>
internal sealed record TrainPixelOptions(string Output, string Version, string SharedData, PixelTreeSettings Trees, int SamplesPerDataset, ulong Seed, int Stride = 1, double Gate = 0, int SyntheticPairs = 0, int SyntheticSamples = 0, bool Experts = false, IReadOnlyList<PixelTreeSettings>? ExpertCandidates = null, IReadOnlyList<int>? ExpertSampleBudgets = null, bool Transfer = false, int NuisancePairs = 0, IReadOnlyList<FeatureView>? ExpertViews = null, int ExpertRepeats = 1, int ObjectEvidenceArrivals = 0, IReadOnlyList<DateOrder>? ExpertOrders = null, IReadOnlyList<ProbabilitySmoothing>? ExpertSmoothings = null);

/// <summary>
/// Trains the pixel model on the real datasets of ../shared/data pooled (each image normalised on its own), chooses the
/// pixel threshold on out-of-fold maps (3 folds grouped by site) scored as the pipeline will score them (the same
/// grid stride), then trains on everything and writes <c>model.zip</c>, <c>model.json</c> (kind "pixel", feature list,
/// threshold, stride, validation figures) and <c>MODEL.md</c>. With <see cref="TrainPixelOptions.Transfer"/> the pooled
/// model follows <see cref="TransferRecipe"/> (features that name a dataset held at 0, an adaptive threshold per tile):
/// nothing is chosen on the out-of-fold maps then; they give the validation figures only.
/// </summary>
internal static class TrainPixelCommand
{
    public static int Run(TrainPixelOptions options, TextWriter output)
    {
        var pairs = new List<ChangePair>();
        foreach (var kind in ChangeDatasetReader.Kinds)
        {
            var dir = Path.Combine(options.SharedData, kind);
            if (Directory.Exists(dir))
            {
                pairs.AddRange(ChangeDatasetReader.Read(dir, kind));
            }
        }

        if (pairs.Count == 0)
        {
            throw new DirectoryNotFoundException($"No labelled datasets under {options.SharedData}.");
        }

        if (options.SyntheticPairs > 0)
        {
            output.WriteLine($"training also on {options.SyntheticPairs} synthetic pairs (seed family {SyntheticSeeds.PixelTraining}, {SyntheticPixelPairs.GroundSampleDistance} m/px)");
            pairs.AddRange(SyntheticPixelPairs.Generate(options.SyntheticPairs));
        }

        if (options.NuisancePairs > 0)
        {
            output.WriteLine($"training the pooled model also on {options.NuisancePairs} nuisance-only synthetic pairs (seed family {SyntheticSeeds.PixelNuisanceTraining}, every pixel unchanged)");
            pairs.AddRange(SyntheticPixelPairs.GenerateNuisanceOnly(options.NuisancePairs));
        }

        var samples = PixelSamples.DrawPerDataset(pairs, p => SyntheticPixelPairs.Budget(p.Dataset, options.SamplesPerDataset, options.SyntheticSamples), options.Seed);
        var pooledSamples = options.Transfer ? TransferRecipe.Rows(samples) : samples;
        var foldMasks = new Dictionary<ChangePair, byte[]>();
        var foldMaps = OutOfFoldMaps.Score(
            pairs, pooledSamples, options.Trees, options.Seed, options.Stride, options.Gate, log: output,
            wrap: options.Transfer ? t => TransferRecipe.Model(t, options.Stride, options.Gate) : null, masks: foldMasks);
        var perDataset = new Dictionary<string, ChangeScoring>();
        var (threshold, validationF1) = options.Transfer ? (TransferRecipe.Floor, double.NaN) : BestOnRealMaps(foldMaps);
        IReadOnlyList<ResolutionThreshold> resolutionThresholds = options.Transfer ? [] : ResolutionThresholdChoice.Choose(foldMaps, output);

        // Datasets without a changed pixel (nuisance-only pairs) have no precision or recall to show.
        var withChange = foldMaps.Keys.Where(p => p.Truth.Contains((byte)1)).Select(p => p.Dataset).ToHashSet(StringComparer.Ordinal);
        foreach (var (pair, map) in foldMaps.Where(kv => withChange.Contains(kv.Key.Dataset)))
        {
            if (!perDataset.TryGetValue(pair.Dataset, out var scoring))
            {
                perDataset[pair.Dataset] = scoring = new ChangeScoring();
            }

            scoring.Add(pair, options.Transfer ? foldMasks[pair] : EvalCommand.Threshold(map, ResolutionThreshold.Select(resolutionThresholds, threshold, pair.GroundSampleDistance)), map);
        }

        output.WriteLine(options.Transfer
            ? $"transfer recipe: {TransferRecipe.Excluded.Count} features held at 0 for the pooled model; adaptive threshold per tile, at least {threshold:F3}"
            : $"threshold {threshold:F3} (out-of-fold pixel F1 {validationF1:F3})");
        var final = new PixelModelTrainer(options.Trees, (int)options.Seed);
        var transformer = final.Train(pairs.Select(p => pooledSamples[p]));
        Directory.CreateDirectory(options.Output);
        var zip = Path.Combine(options.Output, "model.zip");
        final.Save(transformer, zip);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(zip)));
        var metrics = perDataset.ToDictionary(
            kv => "validation-" + kv.Key,
            kv => (IReadOnlyDictionary<string, double>)new Dictionary<string, double>
            {
                ["pixel_f1"] = Math.Round(kv.Value.Pixels.F1, 4),
                ["pixel_precision"] = Math.Round(kv.Value.Pixels.Precision, 4),
                ["pixel_recall"] = Math.Round(kv.Value.Pixels.Recall, 4),
                ["cell_f1"] = Math.Round(kv.Value.Cells.F1, 4),
                ["cell_auc"] = Math.Round(kv.Value.CellAuc, 4),
                ["trivial_cell_f1"] = Math.Round(kv.Value.TrivialCells.F1, 4),
            });
        var experts = new List<ResolutionExpert>();
        if (options.Experts)
        {
            output.WriteLine("resolution experts (tree size and threshold by 3-fold cross-validation over each dataset's sites):");
            foreach (var group in pairs.Where(p => p.Dataset != SyntheticPixelPairs.Dataset).GroupBy(p => p.Dataset).OrderBy(g => g.First().GroundSampleDistance))
            {
                var expert = ExpertTraining.Train([.. group], samples, options.ExpertCandidates ?? ExpertTraining.DefaultCandidates, options.Stride, options.Gate, options.Seed, output, options.ExpertSampleBudgets, options.ExpertViews, options.ExpertRepeats, options.ExpertOrders, options.SamplesPerDataset, options.ExpertSmoothings);
                var file = $"expert-{expert.Dataset}.zip";
                var expertPath = Path.Combine(options.Output, file);
                Directory.CreateDirectory(options.Output);
                new PixelModelTrainer(expert.Settings, (int)options.Seed).Save(expert.Transformer, expertPath);
                var range = expert.ToPixelExpert();
                experts.Add(new ResolutionExpert(
                    file, expert.Dataset, expert.GroundSampleDistance, Math.Round(range.MinGroundSampleDistance, 4), Math.Round(range.MaxGroundSampleDistance, 4),
                    expert.Threshold, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(expertPath))), expert.Settings.Trees, expert.Settings.Leaves,
                    expert.View is { AtZero.Count: > 0 } view ? [.. view.AtZero.Select(f => f.ToString())] : null,
                    options.ExpertOrders is { Count: > 0 } ? expert.Order.Name() : null,
                    expert.Smoothing?.Name));
                metrics["expert-" + expert.Dataset] = new Dictionary<string, double>
                {
                    ["cv_pixel_f1"] = Math.Round(expert.ValidationF1, 4),
                    ["threshold"] = Math.Round(expert.Threshold, 4),
                    ["trees"] = expert.Settings.Trees,
                    ["leaves"] = expert.Settings.Leaves,
                    ["samples"] = expert.Samples ?? options.SamplesPerDataset,
                    ["both_date_orders"] = expert.Order == DateOrder.Both ? 1 : 0,
                };
            }
        }

        var manifest = new ModelManifest
        {
            Version = options.Version,
            Kind = ModelManifest.PixelKind,

            // v1's tile score does not rank real tiles (cell AUC 0.39-0.47 on OSCD, SZTAKI, LEVIR), so it gates nothing
            // by default: every assessable tile goes to the pixel model until a tile gate is measured to keep recall.
            CascadeTileModel = "v1",
            CascadeTileThreshold = 0.0,
            Threshold = threshold,
            ResolutionThresholds = resolutionThresholds.Count > 0 ? resolutionThresholds : null,
            AdaptiveThreshold = options.Transfer ? true : null,
            ObjectEvidence = options.ObjectEvidenceArrivals > 0 ? new ObjectEvidence(options.ObjectEvidenceArrivals) : null,
            ResolutionExperts = experts.Count > 0 ? experts : null,
            PixelStride = options.Stride == 1 ? null : options.Stride,
            PixelGate = options.Gate > 0 ? options.Gate : null,
            ThresholdRule = options.Transfer
                ? "the floor of the adaptive threshold (Otsu's threshold on each tile's smoothed probabilities where no resolution expert serves it, at least this): the balanced-odds point of a model trained on balanced classes; nothing is chosen on validation maps (transfer recipe, docs/model-evaluation.md \"Transfer to a new sensor\")"
                : "smoothed pixel probability with the best pixel F1 on 3-fold out-of-fold maps (folds grouped by site): per dataset for resolutionThresholds (up to the geometric mean of neighbouring datasets' pixel sizes, the coarsest up to twice its own), pooled over all datasets for threshold (any other resolution, or none known)",
            FeatureNames = PixelFeatures.Names,
            TrainedOn = string.Join(", ", pairs.Where(p => p.Dataset != SyntheticPixelPairs.Dataset).GroupBy(p => p.Dataset).Select(g => $"{g.Key} ({g.Count()} pairs)")) + " from ../shared/data (research / non-commercial terms)"
                + (options.SyntheticPairs + options.NuisancePairs > 0 ? $"; generated by the project: {options.SyntheticPairs} synthetic pairs with changes, {options.NuisancePairs} nuisance-only" : string.Empty),
            Created = DateTimeOffset.UtcNow,
            CreatedBy = $"ChangeWatch.Training train-pixel --trees {options.Trees.Trees} --leaves {options.Trees.Leaves} --samples {options.SamplesPerDataset} --seed {options.Seed} --stride {options.Stride} --gate {options.Gate.ToString(CultureInfo.InvariantCulture)} --synthetic {options.SyntheticPairs} --synthetic-samples {options.SyntheticSamples}{(options.Experts ? " --experts true" + (options.ExpertCandidates is { } c ? " --expert-trees " + string.Join(",", c.Select(t => $"{t.Trees}x{t.Leaves}")) : string.Empty) + (options.ExpertSampleBudgets is { } b ? " --expert-samples " + string.Join(",", b) : string.Empty) + (options.ExpertViews is { } v ? " --expert-views " + string.Join(",", v.Select(x => x.Name)) : string.Empty) + (options.ExpertRepeats > 1 ? $" --expert-repeats {options.ExpertRepeats}" : string.Empty) + (options.ExpertOrders is { } o ? " --expert-orders " + string.Join(",", o.Select(x => x.Name())) : string.Empty) + (options.ExpertSmoothings is { } sm ? " --expert-smoothing " + string.Join(",", sm.Select(x => x.Name)) : string.Empty) : string.Empty)}{(options.Transfer ? " --transfer true" : string.Empty)}{(options.NuisancePairs > 0 ? $" --nuisance {options.NuisancePairs}" : string.Empty)}{(options.ObjectEvidenceArrivals > 0 ? $" --object-evidence {options.ObjectEvidenceArrivals}" : string.Empty)}",
            Seeds = new Dictionary<string, ulong> { ["samples"] = options.Seed }
                .Concat(options.SyntheticPairs > 0 ? [new("synthetic", SyntheticSeeds.PixelTraining)] : [])
                .Concat(options.NuisancePairs > 0 ? [new("nuisance", SyntheticSeeds.PixelNuisanceTraining)] : [])
                .ToDictionary(),
            Pairs = pairs.GroupBy(p => p.Dataset).ToDictionary(g => g.Key, g => g.Count()),
            Trainer = new Dictionary<string, string>
            {
                ["algorithm"] = options.Stride == 1
                    ? "FastTree binary (ML.NET 5.0.1), default Platt calibration, 5x5 box mean of the probability map"
                    : $"FastTree binary (ML.NET 5.0.1), default Platt calibration, evaluated every {options.Stride} px (bilinear in between), 5x5 box mean of the probability map",
                ["trees"] = options.Trees.Trees.ToString(CultureInfo.InvariantCulture),
                ["leaves"] = options.Trees.Leaves.ToString(CultureInfo.InvariantCulture),
                ["minExamplesPerLeaf"] = options.Trees.MinExamplesPerLeaf.ToString(CultureInfo.InvariantCulture),
                ["learningRate"] = options.Trees.LearningRate.ToString(CultureInfo.InvariantCulture),
                ["rows"] = samples.Values.Sum(s => s.Count).ToString(CultureInfo.InvariantCulture),
                ["featuresAtZero"] = options.Transfer ? string.Join(",", TransferRecipe.Excluded) : "none",
                ["sha256"] = sha,
            },
            Metrics = metrics,
        };
        manifest.Write(Path.Combine(options.Output, "model.json"));
        File.WriteAllText(Path.Combine(options.Output, "MODEL.md"), Card(manifest, sha, metrics, options.ExpertRepeats));
        output.WriteLine($"wrote {options.Output} (sha256 {sha})");
        return 0;
    }

    /// <summary>The threshold with the best pooled pixel F1 on the real pairs' out-of-fold maps (the default threshold is for real imagery).</summary>
    private static (double Threshold, double F1) BestOnRealMaps(Dictionary<ChangePair, float[]> foldMaps)
    {
        var validation = new ThresholdHistogram();
        foreach (var (pair, map) in foldMaps.Where(kv => kv.Key.Dataset != SyntheticPixelPairs.Dataset))
        {
            validation.Add(map, pair.Truth, []);
        }

        return validation.Best();
    }

    private static string Card(ModelManifest m, string sha, Dictionary<string, IReadOnlyDictionary<string, double>> metrics, int expertRepeats)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"# Change model {m.Version} (pixel level)");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"SHA-256 of model.zip: `{sha}`. Created {m.Created:u} by `{m.CreatedBy}`.");
        s.AppendLine();
        s.AppendLine("## Data and its terms");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Trained on {m.TrainedOn}. Terms: OSCD (Sentinel-2; change maps CC BY-NC-SA 4.0), SZTAKI AirChange (free for scientific use), LEVIR-CD samples (academic use).");
        s.AppendLine("**These datasets are for research / non-commercial use. A model trained on them inherits those terms: this model may be used for research and evaluation only, not in a commercial deployment, until it is retrained on data whose terms allow that.**");
        s.AppendLine();
        s.AppendLine("## Features (per pixel, each raster normalised per band by its own median and IQR)");
        s.AppendLine();
        s.AppendLine(string.Join(", ", m.FeatureNames.Select(n => "`" + n + "`")));
        s.AppendLine();
        s.AppendLine("## Threshold");
        s.AppendLine();
        s.AppendLine(m.AdaptiveThreshold is true
            ? string.Create(CultureInfo.InvariantCulture, $"Adaptive where no resolution expert serves a tile (`adaptiveThreshold` in model.json): Otsu's threshold on the tile's 5×5-smoothed pixel probabilities, at least {m.Threshold:F3}, the balanced-odds point of a model trained on balanced classes (nothing is chosen on validation maps). The pooled model.zip was trained with these features held at 0 (so no tree reads them): {string.Join(", ", TransferRecipe.Excluded.Select(f => "`" + f + "`"))}. Tiles an expert serves take the expert's fixed threshold (below). Reports name {m.Threshold:F3} as the model's threshold.")
            : string.Create(CultureInfo.InvariantCulture, $"{m.Threshold:F3} on the 5×5-smoothed pixel probability; {m.ThresholdRule}."));
        if (m.ResolutionThresholds is { Count: > 0 } bands)
        {
            s.AppendLine();
            s.AppendLine("| ground sample distance up to | threshold |");
            s.AppendLine("|---|---|");
            foreach (var band in bands)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"| {band.MaxGroundSampleDistance:0.###} m | {band.Threshold:F3} |");
            }

            s.AppendLine(CultureInfo.InvariantCulture, $"| coarser, or not georeferenced | {m.Threshold:F3} |");
            s.AppendLine();
            s.AppendLine(m.ResolutionExperts is { Count: > 0 }
                ? "Tiles a resolution expert serves (below) take the expert's threshold; these apply at every other resolution. Reports name the default threshold as the model's."
                : "Reports name the default threshold as the model's; tiles of the resolutions above were thresholded with theirs.");
        }
        if (m.PixelStride is > 1)
        {
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"Scored on a grid: features and trees at the pixels whose column and row are multiples of {m.PixelStride}, the probability interpolated bilinearly in between, then smoothed (`pixelStride` in model.json); the threshold and the figures below were measured that way.");
        }

        if (m.PixelGate is > 0)
        {
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"Coarse-to-fine gate (`pixelGate` {m.PixelGate:F2}): the trees run first on every other grid point of every other grid row, then only on the grid points next to a coarse point with probability ≥ {m.PixelGate:F2}; the rest are interpolated. Included in the threshold choice and the figures below.");
        }
        s.AppendLine();
        s.AppendLine(m.ResolutionExperts is { Count: > 0 }
            ? "## Validation of the pooled model.zip (3-fold out-of-fold maps, folds grouped by site; cells 64×64 per ../shared/data/SOURCES.md)"
            : "## Validation (3-fold out-of-fold maps, folds grouped by site; cells 64×64 per ../shared/data/SOURCES.md)");
        s.AppendLine();
        s.AppendLine("| dataset | pixel P | pixel R | pixel F1 | cell F1 | cell AUC | trivial cell F1 |");
        s.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (name, v) in metrics.Where(kv => kv.Key.StartsWith("validation-", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| {name["validation-".Length..]} | {v["pixel_precision"]:F3} | {v["pixel_recall"]:F3} | {v["pixel_f1"]:F3} | {v["cell_f1"]:F3} | {v["cell_auc"]:F3} | {v["trivial_cell_f1"]:F3} |");
        }

        if (m.ResolutionExperts is { Count: > 0 } experts)
        {
            s.AppendLine();
            s.AppendLine("## Resolution experts");
            s.AppendLine();
            s.AppendLine("Besides model.zip (trained on every dataset together, used at resolutions no expert serves), one ensemble per");
            s.AppendLine("dataset trained on that dataset alone serves tiles within a factor 1.5 of its resolution, with its own threshold:");
            s.AppendLine("measured better on new sites of a resolution it was trained on, while the pooled model transfers better to a");
            s.AppendLine("resolution none was trained on (docs/model-evaluation.md, \"Model v5\"). Each one's threshold (and tree size, when");
            s.AppendLine("`--expert-trees` offers several, its feature view when `--expert-views` offers several, and which way round its rows");
            s.AppendLine("take the dates when `--expert-orders` offers several: as given, or half of them swapped, and how its probability");
            s.AppendLine("map is smoothed when `--expert-smoothing` offers several: a box mean, or a guided filter that follows the after");
            s.AppendLine("image's edges) was chosen by 3-fold");
            s.AppendLine(expertRepeats > 1
                ? $"cross-validation over its dataset's sites, repeated over {expertRepeats} deals of the sites into the folds (CV pixel F1 below, pooled over the deals)."
                : "cross-validation over its dataset's sites (CV pixel F1 below).");
            s.AppendLine();
            s.AppendLine("| expert | trained on | serves (m/px) | trees × leaves | features held at 0 | dates | smoothing | threshold | CV pixel F1 | SHA-256 |");
            s.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var e in experts)
            {
                var cv = metrics.TryGetValue("expert-" + e.Dataset, out var em) ? em["cv_pixel_f1"] : double.NaN;
                var atZero = e.FeaturesAtZero is { Count: > 0 } z ? string.Join(", ", z.Select(n => "`" + n + "`")) : "none";
                s.AppendLine(CultureInfo.InvariantCulture, $"| `{e.File}` | {e.Dataset} ({e.GroundSampleDistance} m/px) | {e.MinGroundSampleDistance:0.###}-{e.MaxGroundSampleDistance:0.###} | {e.Trees} × {e.Leaves} | {atZero} | {(e.DateOrders == DateOrder.Both.Name() ? "as given and swapped" : "as given")} | `{e.Smoothing ?? ProbabilitySmoothing.Default.Name}` | {e.Threshold:F3} | {cv:F3} | `{e.Sha256}` |");
            }

            s.AppendLine();
            s.AppendLine(experts.Any(e => e.Smoothing is not null)
                ? "The SHA-256 the pipeline records on every tile result covers model.zip followed by these files in this order, each with its smoothing."
                : "The SHA-256 the pipeline records on every tile result covers model.zip followed by these files in this order.");
        }

        if (m.ObjectEvidence is { } evidence)
        {
            s.AppendLine();
            s.AppendLine("## Object evidence");
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"`objectEvidence` in model.json: at {ObjectCounter.MaxGroundSampleDistance} m a pixel or finer, a tile the pixel model does not flag is flagged when at least {evidence.MinArrivals} vehicles");
            s.AppendLine(CultureInfo.InvariantCulture, $"arrived in its core (counted from the change between the dates) and the cascade's tile model ({m.CascadeTileModel}, trained on synthetic scenes with");
            s.AppendLine("vehicles and nuisances) flags it at its own threshold: its mask is then the arrived vehicles, its probability the tile model's and");
            s.AppendLine("its change type object build-up.");
            s.AppendLine("The real pairs above hold no vehicle labels (buildings, land cover), so the experts and the pooled model see few vehicles;");
            s.AppendLine("figures on synthetic build-up and nuisance-only scenes: `bash ml-models/eval.sh --dataset synthetic --only false-alarms --model " + m.Version + " [--nuisance-gsd 0.5]`");
            s.AppendLine("and docs/model-evaluation.md, \"Object evidence\". The SHA-256 covers the rule too.");
        }

        s.AppendLine();
        s.AppendLine("Leave-one-site-out and cross-dataset figures: `bash ml-models/eval.sh --data ../shared/data/<ds> --dataset <ds> --mode loso|cross`; see docs/model-evaluation.md.");
        s.AppendLine();
        s.AppendLine(m.AdaptiveThreshold is true
            ? "The figures above threshold each tile of the out-of-fold maps as the pipeline does (adaptive): nothing was chosen on them. They are the pooled model on sites of resolutions it was trained on; the experts serve those in the pipeline."
            : "Per-dataset thresholds were chosen on these same out-of-fold maps, so the figures above are optimistic for the threshold; the leave-one-site-out figures choose each site's threshold without it.");
        s.AppendLine();
        s.AppendLine("## In the pipeline");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Loaded with `ChangeWatch__ModelVersion={m.Version}` (README, \"Model\", says which version is the default and why). The pipeline runs it in");
        s.AppendLine("`CascadeChangeScorer`: tile-pair preparation (co-registration, cloud and shadow masks), each date normalised by its");
        s.AppendLine(m.AdaptiveThreshold is true
            ? "scene's statistics (as training normalised each whole image), the threshold of the tile's expert or the adaptive one,"
            : "scene's statistics (as training normalised each whole image), the threshold for the tile's ground sample distance,");
        s.AppendLine("then the change type and object counts of flagged tiles. Scoring throughput: `bash bench/scoring.sh --model " + m.Version + "`,");
        s.AppendLine("figures in docs/performance.md.");
        s.AppendLine();
        s.AppendLine("## Known limits");
        s.AppendLine();
        s.AppendLine("- Trained on 26 labelled pairs from three sources (research / non-commercial terms, inherited by the model).");
        s.AppendLine("- New sensors and places transfer worse than places of a sensor it was trained on (see the cross figures in docs/model-evaluation.md).");
        s.AppendLine("- The evaluation scores whole images without the pipeline's preparation step (the labelled pairs are co-registered and cloud-free).");
        s.AppendLine(m.AdaptiveThreshold is true
            ? "- Resolutions no expert serves take the adaptive threshold: measured by `--mode cross` on three datasets only; Otsu's threshold splits a tile's probabilities in two, so a tile with no change relies on the floor."
            : "- Resolutions between and beyond the training datasets' take the neighbouring or pooled threshold: not measured there.");
        return s.ToString();
    }
}
