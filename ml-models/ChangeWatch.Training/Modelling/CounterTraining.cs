using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Detection;
using ChangeWatch.Synthetic;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Evaluation;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using static System.FormattableString;

namespace ChangeWatch.Training.Modelling;

/// <summary>Options of <c>train-counter</c>.</summary>
internal sealed record TrainCounterOptions(string Output, string Version, int BuildUpScenes = 200, int NuisanceScenes = 80, IReadOnlyList<double>? GroundSampleDistances = null, int Trees = 200, int Leaves = 16, int MinExamplesPerLeaf = 20, int Seed = 1)
{
    public IReadOnlyList<double> Gsds => GroundSampleDistances ?? [1.0, 0.5];
}

/// <summary>
/// Trains the learned vehicle count (<see cref="VehicleCountModel"/>): every candidate blob
/// (<see cref="ObjectCounter.Candidates"/>) of the prepared pipeline tiles of generated scenes (build-up family
/// <see cref="BuildUpFamily"/>, nuisance-only family <see cref="NuisanceFamily"/>; both dates; at each GSD), labelled with
/// the number of vehicles present on that date whose centre lies in the blob or within <see cref="MatchMetres"/> of it.
/// One FastTree binary model learns whether a blob holds a vehicle, one FastTree regression (on the blobs that do) how
/// many. Single-threaded and seeded: the same options give the same trees. Writes holds.zip, count.zip, model.json and
/// MODEL.md with the counts on the tuning and development families (rules against the model) — never the test family.
/// </summary>
internal static class CounterTraining
{
    /// <summary>How far, metres, from a vehicle's centre its candidate may lie (a tan vehicle's shadow beside its body).</summary>
    public const double MatchMetres = 2.0;

    /// <summary>Build-up scenes the counter is trained on (never evaluated on).</summary>
    public const ulong BuildUpFamily = 9601;

    /// <summary>Nuisance-only scenes the counter is trained on.</summary>
    public const ulong NuisanceFamily = 9602;

    /// <summary>Development families (build-up, nuisance-only) beside the tuning families: looked at while the counter was built, never trained on.</summary>
    public const ulong DevelopmentBuildUp = 7003;

    /// <summary>Nuisance-only development family.</summary>
    public const ulong DevelopmentNuisance = 7004;

    /// <summary>One candidate: its features and the vehicles it holds.</summary>
    public sealed class CandidateRow
    {
        [VectorType(ObjectCounter.CandidateFeatureCount)]
        public float[] Features { get; set; } = new float[ObjectCounter.CandidateFeatureCount];

        public float Label { get; set; }
    }

    /// <summary>A candidate for the classifier: whether it holds a vehicle.</summary>
    public sealed class CandidateClass
    {
        [VectorType(ObjectCounter.CandidateFeatureCount)]
        public float[] Features { get; set; } = new float[ObjectCounter.CandidateFeatureCount];

        public bool Label { get; set; }
    }

    /// <summary>A scene's candidate rows (tile cores, both dates), and how many vehicles in the cores lay on or beside a candidate.</summary>
    public sealed record SceneRows(List<CandidateRow> Rows, int Vehicles, int Matched);

    /// <summary>The candidate rows of one scene's tiles (candidates the core holds a share of), both dates.</summary>
    public static SceneRows Rows(SyntheticPair pair, double gsd)
    {
        var rows = new List<CandidateRow>();
        var size = SyntheticEvaluation.TileSize;
        var margin = SyntheticEvaluation.TileOverlap / 2;
        var labels = new int[size * size];
        var reach = Math.Max(1, (int)Math.Ceiling(MatchMetres / gsd));
        int vehicles = 0, matched = 0;
        foreach (var tile in SyntheticTiling.Tiles(pair, size, SyntheticEvaluation.TileOverlap, gsd))
        {
            var prepared = TilePairPreparation.Prepare(tile.Before, tile.After);
            foreach (var beforeDate in new[] { true, false })
            {
                // The after tile is co-registered onto the before grid, where the objects' centres are given.
                var image = beforeDate ? prepared.Before : prepared.After;
                var core = new PixelWindow(margin, margin, image.Width - 2 * margin, image.Height - 2 * margin);
                var candidates = ObjectCounter.Candidates(image, gsd, core, labels);
                var held = new int[candidates.Count];
                foreach (var o in pair.Objects)
                {
                    if (beforeDate ? !o.Before : !o.After)
                    {
                        continue;
                    }

                    var (x, y) = ((int)Math.Floor(o.X) - tile.Window.X, (int)Math.Floor(o.Y) - tile.Window.Y);
                    if (x < 0 || y < 0 || x >= image.Width || y >= image.Height)
                    {
                        continue;
                    }

                    var found = Nearest(labels, image.Width, image.Height, x, y, reach);
                    if (found > 0)
                    {
                        held[found - 1]++;
                    }

                    if (x >= core.X && y >= core.Y && x < core.X + core.Width && y < core.Y + core.Height)
                    {
                        vehicles++;
                        matched += found > 0 ? 1 : 0;
                    }
                }

                for (var i = 0; i < candidates.Count; i++)
                {
                    if (candidates[i].CoreShare > 0)
                    {
                        rows.Add(new CandidateRow { Features = candidates[i].Features, Label = held[i] });
                    }
                }
            }
        }

        return new SceneRows(rows, vehicles, matched);
    }

    /// <summary>The label (candidate index + 1) nearest to (x, y) within <paramref name="reach"/> pixels, 0 when none.</summary>
    private static int Nearest(int[] labels, int w, int h, int x, int y, int reach)
    {
        var best = 0;
        var bestDistance = int.MaxValue;
        for (var dy = -reach; dy <= reach; dy++)
        {
            for (var dx = -reach; dx <= reach; dx++)
            {
                var (px, py) = (x + dx, y + dy);
                if (px < 0 || py < 0 || px >= w || py >= h || labels[py * w + px] == 0)
                {
                    continue;
                }

                var d = dx * dx + dy * dy;
                if (d < bestDistance)
                {
                    (best, bestDistance) = (labels[py * w + px], d);
                }
            }
        }

        return best;
    }

    /// <summary>The training rows of every scene of the options, in a fixed order (scenes are drawn in parallel).</summary>
    public static (List<CandidateRow> Rows, int Vehicles, int Matched) TrainingRows(TrainCounterOptions options)
    {
        var jobs = new List<(ulong Family, int Index, double Gsd)>();
        foreach (var g in options.Gsds)
        {
            jobs.AddRange(Enumerable.Range(0, options.BuildUpScenes).Select(i => (BuildUpFamily, i, g)));
            jobs.AddRange(Enumerable.Range(0, options.NuisanceScenes).Select(i => (NuisanceFamily, i, g)));
        }

        var scenes = jobs.AsParallel().AsOrdered().Select(j => Rows(
            j.Family == NuisanceFamily ? EvalScenes.NuisanceOnly(j.Family, j.Index, j.Gsd) : CountScenes.BuildUp(j.Family, j.Index, j.Gsd),
            j.Gsd)).ToList();
        return (scenes.SelectMany(s => s.Rows).ToList(), scenes.Sum(s => s.Vehicles), scenes.Sum(s => s.Matched));
    }

    /// <summary>Trains the two ensembles on <paramref name="rows"/>: whether a candidate holds a vehicle, and how many when it does.</summary>
    public static (ITransformer Holds, ITransformer Count, MLContext Context) Fit(IReadOnlyList<CandidateRow> rows, TrainCounterOptions options)
    {
        var context = new MLContext(options.Seed);
        var holds = context.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = options.Trees, NumberOfLeaves = options.Leaves, MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf, LearningRate = 0.1,
            NumberOfThreads = 1, Seed = options.Seed,
            LabelColumnName = nameof(CandidateClass.Label), FeatureColumnName = nameof(CandidateClass.Features),
        }).Fit(context.Data.LoadFromEnumerable(rows.Select(r => new CandidateClass { Features = r.Features, Label = r.Label > 0 })));
        var count = context.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
        {
            NumberOfTrees = options.Trees, NumberOfLeaves = options.Leaves, MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf, LearningRate = 0.1,
            NumberOfThreads = 1, Seed = options.Seed,
            LabelColumnName = nameof(CandidateRow.Label), FeatureColumnName = nameof(CandidateRow.Features),
        }).Fit(context.Data.LoadFromEnumerable(rows.Where(r => r.Label > 0)));
        return (holds, count, context);
    }

    /// <summary><c>train-counter</c>: trains, writes the model folder, and prints (and records in MODEL.md) the counts on the tuning and development families.</summary>
    public static int Run(TrainCounterOptions options, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        var (rows, vehicles, matched) = TrainingRows(options);
        output.WriteLine(Invariant($"{rows.Count} candidates ({rows.Count(r => r.Label > 0)} holding {rows.Sum(r => r.Label)} vehicles); {matched} of {vehicles} vehicles in the tile cores lie on or within {MatchMetres} m of a candidate; {clock.Elapsed.TotalSeconds:F0} s"));
        var (holds, count, context) = Fit(rows, options);
        output.WriteLine(Invariant($"trained, {clock.Elapsed.TotalSeconds:F0} s"));

        Directory.CreateDirectory(options.Output);
        var schema = context.Data.LoadFromEnumerable(Array.Empty<CandidateRow>()).Schema;
        byte[] Save(ITransformer model)
        {
            using var stream = new MemoryStream();
            context.Model.Save(model, schema, stream);
            return stream.ToArray();
        }

        var (holdsZip, countZip) = (Save(holds), Save(count));
        const double threshold = 0;
        var manifest = new VehicleCountModel.Manifest
        {
            Version = options.Version,
            Features = ObjectCounter.CandidateFeatureNames,
            Threshold = threshold,
            Sha256 = VehicleCountModel.Hash(holdsZip, countZip, threshold),
            TrainedOn = Invariant($"generated scenes only: build-up family {BuildUpFamily} ({options.BuildUpScenes} scenes) and nuisance-only family {NuisanceFamily} ({options.NuisanceScenes}) at {string.Join(" and ", options.Gsds)} m, both dates"),
        };
        File.WriteAllBytes(Path.Combine(options.Output, VehicleCountModel.HoldsFile), holdsZip);
        File.WriteAllBytes(Path.Combine(options.Output, VehicleCountModel.CountFile), countZip);
        File.WriteAllText(Path.Combine(options.Output, "model.json"), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var model = VehicleCountModel.Load(options.Output);

        var figures = new List<(string Family, double Gsd, SyntheticEvaluation.CountFigures Rules, SyntheticEvaluation.CountFigures Model)>();
        foreach (var g in options.Gsds)
        {
            foreach (var (name, family, empty) in new[] { ("tuning", SyntheticSeeds.CountTuning, SyntheticSeeds.ValidationNuisance), ("development", DevelopmentBuildUp, DevelopmentNuisance) })
            {
                var rules = SyntheticEvaluation.MeasureCounts(null, SyntheticEvaluation.CountSceneCount, family, empty, g, null);
                var learned = SyntheticEvaluation.MeasureCounts(null, SyntheticEvaluation.CountSceneCount, family, empty, g, model);
                figures.Add((Invariant($"{name} {family} / {empty}"), g, rules, learned));
                foreach (var (label, c) in new[] { ("rules", rules), (options.Version, learned) })
                {
                    output.WriteLine(Invariant($"{name} {family}/{empty} {g} m, before by {label}: {c.WithinTwentyPercent} of 30 scenes within ±20 %, after {c.CountedAfter}/{c.TrueAfter} ({c.AfterError:+0.0%;-0.0%}), mean |error| {c.MeanAbsoluteAfterError:P1}, before {c.CountedBefore}/{c.TrueBefore} (Σ |error| {c.BeforeAbsoluteError}), false objects {c.EmptyFalsePerScene:F2}"));
                }
            }
        }

        File.WriteAllText(Path.Combine(options.Output, "MODEL.md"), Card(options, manifest, rows, vehicles, matched, figures));
        output.WriteLine($"wrote {options.Output} (SHA-256 {manifest.Sha256}), {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static string Card(TrainCounterOptions options, VehicleCountModel.Manifest manifest, List<CandidateRow> rows, int vehicles, int matched, List<(string Family, double Gsd, SyntheticEvaluation.CountFigures Rules, SyntheticEvaluation.CountFigures Model)> figures)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"# Vehicle count model {options.Version}");
        s.AppendLine();
        s.AppendLine("Counts the vehicles of one image (the before image of a tile pair; what arrived and left is counted from the change");
        s.AppendLine("between the dates, `ChangeObjectCounter`): every candidate blob of dark or bright small-feature contrast is scored by");
        s.AppendLine("two ML.NET FastTree ensembles, one for whether it holds a vehicle (raw score ≥ the threshold), one for how many (at");
        s.AppendLine("least one). Embedded in ChangeWatch.Detection and used by `ObjectCounter.Count` for every tile pair at 1.5 m or finer.");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- Command: `dotnet run --project ml-models/ChangeWatch.Training -c Release -- train-counter --out ml-models/models/{options.Version} --scenes {options.BuildUpScenes} --nuisance {options.NuisanceScenes} --gsd {string.Join(',', options.Gsds.Select(g => g.ToString(CultureInfo.InvariantCulture)))} --trees {options.Trees} --leaves {options.Leaves} --min-leaf {options.MinExamplesPerLeaf} --seed {options.Seed}`");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Data: {manifest.TrainedOn}. Generated by this repository (no third-party imagery, no licence terms).");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Rows: {rows.Count} candidates, {rows.Count(r => r.Label > 0)} holding {rows.Sum(r => r.Label)} vehicles; {matched} of {vehicles} vehicles in the tile cores lie on or within {MatchMetres} m of a candidate (the recall ceiling).");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Ensembles: {options.Trees} trees × {options.Leaves} leaves each, at least {options.MinExamplesPerLeaf} rows a leaf, learning rate 0.1, seed {options.Seed}, one thread; threshold {manifest.Threshold} on the raw score.");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Features ({ObjectCounter.CandidateFeatureCount}): {string.Join(", ", ObjectCounter.CandidateFeatureNames.Select(f => $"`{f}`"))}.");
        s.AppendLine(CultureInfo.InvariantCulture, $"- SHA-256 (holds.zip, count.zip, threshold): `{manifest.Sha256}`.");
        s.AppendLine();
        s.AppendLine("## Counts on families it was not trained on (30 build-up scenes each; false objects on 30 nuisance-only scenes)");
        s.AppendLine();
        s.AppendLine("The before image counted by the rules of the one-image count and by this model; the change count is the same in both.");
        s.AppendLine("The tuning family is the one the rules were tuned on; the development family was looked at while this model was built.");
        s.AppendLine("The test family's figure is the eval's (`bash ml-models/eval.sh --dataset synthetic --only counts --json`), not printed here.");
        s.AppendLine();
        s.AppendLine("| families | GSD | before by | scenes within ±20 % | after counted / true | mean \\|error\\| per scene | before counted / true | Σ \\|before error\\| | false objects per scene and date |");
        s.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (family, gsd, rules, model) in figures)
        {
            foreach (var (label, c) in new[] { ("rules", rules), (options.Version, model) })
            {
                s.AppendLine(Invariant($"| {family} | {gsd} m | {label} | {c.WithinTwentyPercent} of 30 | {c.CountedAfter} / {c.TrueAfter} ({c.AfterError:+0.0%;-0.0%}) | {c.MeanAbsoluteAfterError:P1} | {c.CountedBefore} / {c.TrueBefore} | {c.BeforeAbsoluteError} | {c.EmptyFalsePerScene:F2} |"));
            }
        }

        s.AppendLine();
        s.AppendLine("## Known limits");
        s.AppendLine();
        s.AppendLine("- Trained and measured on generated scenes only: no real image with vehicle labels was available, so nothing here says");
        s.AppendLine("  how it counts real vehicles. The rendering of vehicles (sizes, palettes, shadows) is the generator's.");
        s.AppendLine("- A candidate cut by the tile's edge counts by the share of its pixels in the core; a park larger than a tile's");
        s.AppendLine("  context is counted in parts.");
        s.AppendLine("- The after count is the before count plus the change count's arrivals minus its departures: the change count's");
        s.AppendLine("  errors (fields changing crop, parks over roofs, strong haze) are untouched by this model.");
        return s.ToString();
    }
}
