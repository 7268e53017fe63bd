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
internal sealed record TrainCounterOptions(string Output, string Version, int BuildUpScenes = 200, int NuisanceScenes = 80, IReadOnlyList<double>? GroundSampleDistances = null, int Trees = 200, int Leaves = 16, int MinExamplesPerLeaf = 20, int Seed = 1, int MixedScenes = 120, ArrivalGate ArrivalGate = ArrivalGate.DirectionOrMixed)
{
    public IReadOnlyList<double> Gsds => GroundSampleDistances ?? [1.0, 0.5];
}

/// <summary>
/// Trains the learned vehicle count (<see cref="VehicleCountModel"/>) on the prepared pipeline tiles of generated scenes
/// (build-up family <see cref="BuildUpFamily"/>, nuisance-only family <see cref="NuisanceFamily"/>; at each GSD). Every
/// candidate blob (<see cref="ObjectCounter.Candidates(ChangeWatch.Core.Imaging.TileRaster, double, ChangeWatch.Core.Imaging.PixelWindow, Span{int}, Span{float})"/>) of either date is labelled with the vehicles present on that
/// date whose centre lies in it or within <see cref="MatchMetres"/> of it; every change blob
/// (<see cref="ChangeObjectCounter"/>) with the vehicles that arrived so. For each, one FastTree binary model learns
/// whether a blob holds any, one FastTree regression (on the blobs that do) how many. Single-threaded and seeded: the
/// same options give the same trees. Writes the four zips, model.json and MODEL.md with the counts on the tuning and
/// development families (rules against the model) — never the test family.
/// </summary>
internal static class CounterTraining
{
    /// <summary>How far, metres, from a vehicle's centre its candidate may lie (a tan vehicle's shadow beside its body).</summary>
    public const double MatchMetres = 2.0;

    /// <summary>Build-up scenes the counter is trained on (never evaluated on).</summary>
    public const ulong BuildUpFamily = 9601;

    /// <summary>Nuisance-only scenes the counter is trained on.</summary>
    public const ulong NuisanceFamily = 9602;

    /// <summary>Mixed scenes the counter is trained on (earthworks, construction and departures beside arrivals: changes that are not arrivals).</summary>
    public const ulong MixedFamily = 9603;

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

    /// <summary>
    /// A scene's rows: candidates (tile cores, both dates) and change blobs (tile cores), how many vehicles in the cores
    /// lay on or beside a candidate, and how many arrivals on or beside a change blob.
    /// </summary>
    public sealed record SceneRows(List<CandidateRow> Rows, List<CandidateRow> ChangeRows, int Vehicles, int Matched, int Arrivals, int ArrivalsMatched);

    /// <summary>The candidate rows of one scene's tiles (candidates the core holds a share of), both dates.</summary>
    public static SceneRows Rows(SyntheticPair pair, double gsd)
    {
        var rows = new List<CandidateRow>();
        var size = SyntheticEvaluation.TileSize;
        var margin = SyntheticEvaluation.TileOverlap / 2;
        var labels = new int[size * size];
        var changeLabels = new int[size * size];
        var contrast = new float[size * size];
        var changeRows = new List<CandidateRow>();
        var reach = Math.Max(1, (int)Math.Ceiling(MatchMetres / gsd));
        int vehicles = 0, matched = 0, arrivals = 0, arrivalsMatched = 0;
        foreach (var tile in SyntheticTiling.Tiles(pair, size, SyntheticEvaluation.TileOverlap, gsd))
        {
            var prepared = TilePairPreparation.Prepare(tile.Before, tile.After);
            foreach (var beforeDate in new[] { true, false })
            {
                // The after tile is co-registered onto the before grid, where the objects' centres are given.
                var image = beforeDate ? prepared.Before : prepared.After;
                var core = new PixelWindow(margin, margin, image.Width - 2 * margin, image.Height - 2 * margin);
                var candidates = ObjectCounter.Candidates(image, gsd, core, labels, beforeDate ? contrast : default);
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

            // The change blobs, as ObjectCounter.Count reads them with a model (the before image's contrast from its candidates).
            var changeCore = new PixelWindow(margin, margin, size - 2 * margin, size - 2 * margin);
            var examined = new List<ChangeObjectCounter.ChangeBlob>();
            ChangeObjectCounter.Count(prepared.Before, prepared.After, gsd, changeCore, contrast, examined, default, null, changeLabels);
            var arrived = new Dictionary<int, int>();
            foreach (var o in pair.Objects.Where(o => o.After && !o.Before))
            {
                var (x, y) = ((int)Math.Floor(o.X) - tile.Window.X, (int)Math.Floor(o.Y) - tile.Window.Y);
                if (x < 0 || y < 0 || x >= size || y >= size)
                {
                    continue;
                }

                var found = Nearest(changeLabels, size, size, x, y, reach);
                if (found > 0)
                {
                    arrived[found - 1] = arrived.GetValueOrDefault(found - 1) + 1;
                }

                if (x >= changeCore.X && y >= changeCore.Y && x < changeCore.X + changeCore.Width && y < changeCore.Y + changeCore.Height)
                {
                    arrivals++;
                    arrivalsMatched += found > 0 ? 1 : 0;
                }
            }

            foreach (var blob in examined)
            {
                if (blob.Features is { } f)
                {
                    changeRows.Add(new CandidateRow { Features = f, Label = arrived.GetValueOrDefault(blob.Index) });
                }
            }
        }

        return new SceneRows(rows, changeRows, vehicles, matched, arrivals, arrivalsMatched);
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

    /// <summary>One generated training scene: its family (<see cref="BuildUpFamily"/>, <see cref="NuisanceFamily"/> or <see cref="MixedFamily"/>), index and GSD.</summary>
    internal readonly record struct TrainingScene(ulong Family, int Index, double Gsd)
    {
        /// <summary>The scene pair, drawn by its family's generator.</summary>
        public SyntheticPair Generate() => Family switch
        {
            NuisanceFamily => EvalScenes.NuisanceOnly(Family, Index, Gsd),
            MixedFamily => EvalScenes.Mixed(Family, Index, Gsd),
            _ => CountScenes.BuildUp(Family, Index, Gsd),
        };
    }

    /// <summary>The count models' training scenes in a fixed order: per GSD, the first scenes of the build-up, nuisance-only and mixed families.</summary>
    internal static List<TrainingScene> TrainingScenes(int buildUp, int nuisance, int mixed, IEnumerable<double> gsds) =>
        gsds.SelectMany(g => Enumerable.Range(0, buildUp).Select(i => new TrainingScene(BuildUpFamily, i, g))
            .Concat(Enumerable.Range(0, nuisance).Select(i => new TrainingScene(NuisanceFamily, i, g)))
            .Concat(Enumerable.Range(0, mixed).Select(i => new TrainingScene(MixedFamily, i, g)))).ToList();

    /// <summary>The training rows of every scene of the options, in a fixed order (scenes are drawn in parallel).</summary>
    public static SceneRows TrainingRows(TrainCounterOptions options)
    {
        var scenes = TrainingScenes(options.BuildUpScenes, options.NuisanceScenes, options.MixedScenes, options.Gsds)
            .AsParallel().AsOrdered().Select(j => Rows(j.Generate(), j.Gsd)).ToList();
        return new SceneRows(
            scenes.SelectMany(s => s.Rows).ToList(), scenes.SelectMany(s => s.ChangeRows).ToList(),
            scenes.Sum(s => s.Vehicles), scenes.Sum(s => s.Matched), scenes.Sum(s => s.Arrivals), scenes.Sum(s => s.ArrivalsMatched));
    }

    /// <summary>
    /// Trains the four ensembles (<see cref="VehicleCountModel.Files"/> order): whether a candidate holds a vehicle and how
    /// many per square metre when it does (the count over the blob's area, feature 0), on <paramref name="rows"/>; the same
    /// for arrivals, on <paramref name="changeRows"/>.
    /// </summary>
    public static (IReadOnlyList<ITransformer> Models, MLContext Context) Fit(IReadOnlyList<CandidateRow> rows, IReadOnlyList<CandidateRow> changeRows, TrainCounterOptions options)
    {
        var context = new MLContext(options.Seed);
        var models = new List<ITransformer>();
        foreach (var (set, features) in new[] { (rows, ObjectCounter.CandidateFeatureCount), (changeRows, ChangeObjectCounter.FeatureCount) })
        {
            var width = new SchemaDefinitionFor(features);
            models.Add(context.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfTrees = options.Trees, NumberOfLeaves = options.Leaves, MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf, LearningRate = 0.1,
                NumberOfThreads = 1, Seed = options.Seed, LabelColumnName = "Label", FeatureColumnName = "Features",
            }).Fit(context.Data.LoadFromEnumerable(set.Select(r => new CandidateClass { Features = r.Features, Label = r.Label > 0 }), width.For<CandidateClass>())));
            models.Add(context.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
            {
                NumberOfTrees = options.Trees, NumberOfLeaves = options.Leaves, MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf, LearningRate = 0.1,
                NumberOfThreads = 1, Seed = options.Seed, LabelColumnName = "Label", FeatureColumnName = "Features",
            }).Fit(context.Data.LoadFromEnumerable(set.Where(r => r.Label > 0).Select(r => new CandidateRow { Features = r.Features, Label = r.Label / r.Features[0] }), width.For<CandidateRow>())));
        }

        return (models, context);
    }

    /// <summary>Saves each model with the schema of its rows (feature vectors of its width).</summary>
    public static IReadOnlyList<byte[]> Save(IReadOnlyList<ITransformer> models, MLContext context) =>
        models.Select((model, i) =>
        {
            var width = new SchemaDefinitionFor(i < 2 ? ObjectCounter.CandidateFeatureCount : ChangeObjectCounter.FeatureCount);
            using var stream = new MemoryStream();
            context.Model.Save(model, context.Data.LoadFromEnumerable(Array.Empty<CandidateRow>(), width.For<CandidateRow>()).Schema, stream);
            return stream.ToArray();
        }).ToList();

    /// <summary>Schema definitions giving the rows' feature vector a width (candidates and change blobs have different feature counts).</summary>
    private sealed class SchemaDefinitionFor(int features)
    {
        public SchemaDefinition For<T>()
        {
            var schema = SchemaDefinition.Create(typeof(T));
            schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
            return schema;
        }
    }

    /// <summary><c>train-counter</c>: trains, writes the model folder, and prints (and records in MODEL.md) the counts on the tuning and development families.</summary>
    public static int Run(TrainCounterOptions options, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        var data = TrainingRows(options);
        var (rows, vehicles, matched) = (data.Rows, data.Vehicles, data.Matched);
        output.WriteLine(Invariant($"{rows.Count} candidates ({rows.Count(r => r.Label > 0)} holding {rows.Sum(r => r.Label)} vehicles); {matched} of {vehicles} vehicles in the tile cores lie on or within {MatchMetres} m of a candidate; {data.ChangeRows.Count} change blobs ({data.ChangeRows.Count(r => r.Label > 0)} holding {data.ChangeRows.Sum(r => r.Label)} arrivals; {data.ArrivalsMatched} of {data.Arrivals} arrivals on or beside one); {clock.Elapsed.TotalSeconds:F0} s"));
        var (models, context) = Fit(rows, data.ChangeRows, options);
        output.WriteLine(Invariant($"trained, {clock.Elapsed.TotalSeconds:F0} s"));

        Directory.CreateDirectory(options.Output);
        var zips = Save(models, context);
        const double threshold = 0;
        var manifest = new VehicleCountModel.Manifest
        {
            Version = options.Version,
            Features = ObjectCounter.CandidateFeatureNames,
            ChangeFeatures = ChangeObjectCounter.FeatureNames,
            Threshold = threshold,
            ArrivalGate = ArrivalGates.Name(options.ArrivalGate),
            Sha256 = VehicleCountModel.Hash(zips, threshold, options.ArrivalGate),
            TrainedOn = Invariant($"generated scenes only: build-up family {BuildUpFamily} ({options.BuildUpScenes} scenes), nuisance-only family {NuisanceFamily} ({options.NuisanceScenes}) and mixed family {MixedFamily} ({options.MixedScenes}: earthworks, construction, departures and arrivals) at {string.Join(" and ", options.Gsds)} m"),
        };
        for (var i = 0; i < zips.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(options.Output, VehicleCountModel.Files[i]), zips[i]);
        }

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
                    output.WriteLine(Invariant($"{name} {family}/{empty} {g} m, counted by {label}: {c.WithinTwentyPercent} of 30 scenes within ±20 %, after {c.CountedAfter}/{c.TrueAfter} ({c.AfterError:+0.0%;-0.0%}), mean |error| {c.MeanAbsoluteAfterError:P1}, before {c.CountedBefore}/{c.TrueBefore} (Σ |error| {c.BeforeAbsoluteError}), false objects {c.EmptyFalsePerScene:F2}"));
                }
            }
        }

        File.WriteAllText(Path.Combine(options.Output, "MODEL.md"), Card(options, manifest, data, figures));
        output.WriteLine($"wrote {options.Output} (SHA-256 {manifest.Sha256}), {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static string Card(TrainCounterOptions options, VehicleCountModel.Manifest manifest, SceneRows data, List<(string Family, double Gsd, SyntheticEvaluation.CountFigures Rules, SyntheticEvaluation.CountFigures Model)> figures)
    {
        var (rows, vehicles, matched) = (data.Rows, data.Vehicles, data.Matched);
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"# Vehicle count model {options.Version}");
        s.AppendLine();
        s.AppendLine("Counts the vehicles of a tile pair. The before image: every candidate blob of dark or bright small-feature contrast is");
        s.AppendLine("scored by two ML.NET FastTree ensembles, one for whether it holds a vehicle (raw score ≥ the threshold), one for how");
        s.AppendLine("many per square metre (times the blob's area, at least one: parks larger than any in training count by their area).");
        if (options.ArrivalGate == ArrivalGate.Direction)
        {
            s.AppendLine("The change between the dates: every change blob of `ChangeObjectCounter` that its direction test reads as arrived is");
            s.AppendLine("scored the same way for vehicles that arrived (arrival gate `direction`); departures are counted by the rules.");
        }
        else
        {
            s.AppendLine("The change between the dates: every change blob of `ChangeObjectCounter` that its direction test reads as arrived, or");
            s.AppendLine(CultureInfo.InvariantCulture, $"reads as left with a mixed change (spread ≥ {ChangeObjectCounter.MinSpread}) that the rules neither count as a departure nor");
            s.AppendLine("reject by shape, is scored the same way for vehicles that arrived (arrival gate `direction-or-mixed`); departures are");
            s.AppendLine("counted by the rules.");
        }

        s.AppendLine("After = before − departed + arrived. Embedded in ChangeWatch.Detection and used by `ObjectCounter.Count` for every tile");
        s.AppendLine("pair at 1.5 m or finer; a blob cut by a tile's edge counts by the share of its pixels in the core.");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- Command: `dotnet run --project ml-models/ChangeWatch.Training -c Release -- train-counter --out ml-models/models/{options.Version} --scenes {options.BuildUpScenes} --nuisance {options.NuisanceScenes} --gsd {string.Join(',', options.Gsds.Select(g => g.ToString(CultureInfo.InvariantCulture)))} --trees {options.Trees} --leaves {options.Leaves} --min-leaf {options.MinExamplesPerLeaf} --mixed {options.MixedScenes} --seed {options.Seed} --arrival-gate {ArrivalGates.Name(options.ArrivalGate)}`");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Data: {manifest.TrainedOn}. Generated by this repository (no third-party imagery, no licence terms).");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Rows: {rows.Count} candidates, {rows.Count(r => r.Label > 0)} holding {rows.Sum(r => r.Label)} vehicles; {matched} of {vehicles} vehicles in the tile cores lie on or within {MatchMetres} m of a candidate (the recall ceiling).");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Change rows: {data.ChangeRows.Count} change blobs, {data.ChangeRows.Count(r => r.Label > 0)} holding {data.ChangeRows.Sum(r => r.Label)} arrivals; {data.ArrivalsMatched} of {data.Arrivals} arrivals in the tile cores lie on or within {MatchMetres} m of a change blob.");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Ensembles: {options.Trees} trees × {options.Leaves} leaves each, at least {options.MinExamplesPerLeaf} rows a leaf, learning rate 0.1, seed {options.Seed}, one thread; threshold {manifest.Threshold} on the raw score.");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Candidate features ({ObjectCounter.CandidateFeatureCount}): {string.Join(", ", ObjectCounter.CandidateFeatureNames.Select(f => $"`{f}`"))}.");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Change-blob features ({ChangeObjectCounter.FeatureCount}): {string.Join(", ", ChangeObjectCounter.FeatureNames.Select(f => $"`{f}`"))}.");
        s.AppendLine(CultureInfo.InvariantCulture, $"- SHA-256 (the four zips' entries, the threshold, the arrival gate unless `direction`): `{manifest.Sha256}`.");
        s.AppendLine("- `accuracy` in model.json (quoted by every report with vehicle counts): recorded by hand after the model was measured on the");
        s.AppendLine("  test family (`bash ml-models/eval.sh --dataset synthetic --only counts [--counts-gsd 0.5]`); `train-counter` never sees");
        s.AppendLine("  the test scenes and writes none. It is not part of the SHA-256.");
        s.AppendLine();
        s.AppendLine("## Counts on families it was not trained on (30 build-up scenes each; false objects on 30 nuisance-only scenes)");
        s.AppendLine();
        s.AppendLine("Counted by the rules (one-image count of the before image, `ChangeObjectCounter`'s rules for the change) and by this model.");
        s.AppendLine("The tuning family is the one the rules were tuned on; the development family was looked at while this model was built.");
        s.AppendLine("The test family's figures are the eval's (`bash ml-models/eval.sh --dataset synthetic --only counts [--counts-gsd 0.5] --json`),");
        s.AppendLine("not printed here: docs/model-evaluation.md, \"Learned vehicle count\".");
        s.AppendLine();
        s.AppendLine("| families | GSD | counted by | scenes within ±20 % | after counted / true | mean \\|error\\| per scene | before counted / true | Σ \\|before error\\| | false objects per scene and date |");
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
        s.AppendLine("- Departures are counted by the rules only (no departure ensembles; the mixed training scenes hold departures, but only as change that is not an arrival).");
        s.AppendLine("- Change blobs are found by `ChangeObjectCounter`'s threshold; an arrival whose change stays under it is not seen.");
        return s.ToString();
    }
}

/// <summary>
/// <c>train-counter --before-unit keypoints</c>: a count model whose before image is counted by vehicle-scale keypoints
/// (<see cref="VehicleKeypoints"/>), each scored by one FastTree binary ensemble with Platt calibration; the candidate and
/// arrival ensembles, threshold and arrival gate are copied byte for byte from a base model (the candidate ensembles'
/// count of a keypoint's blob is one of its features).
/// </summary>
internal static class KeypointCounterTraining
{
    /// <summary>One keypoint and whether it is a vehicle.</summary>
    public sealed class KeypointRow
    {
        [VectorType(21)]
        public float[] Features { get; set; } = new float[21];

        public bool Label { get; set; }
    }

    /// <summary>
    /// The keypoint rows of one scene: each tile prepared as the pipeline prepares it, both dates, keypoints in the tile
    /// cores, each labelled by a one-to-one match (nearest pairs first, within <see cref="CounterTraining.MatchMetres"/>)
    /// to the vehicles present on that date. Returns the rows, the vehicles in the cores and how many a keypoint matched.
    /// </summary>
    public static (List<KeypointRow> Rows, int Vehicles, int Matched) Rows(SyntheticPair pair, double gsd, VehicleCountModel baseModel)
    {
        var rows = new List<KeypointRow>();
        var size = SyntheticEvaluation.TileSize;
        var margin = SyntheticEvaluation.TileOverlap / 2;
        int vehicles = 0, matched = 0;
        var reach = CounterTraining.MatchMetres / gsd;
        foreach (var tile in SyntheticTiling.Tiles(pair, size, SyntheticEvaluation.TileOverlap, gsd))
        {
            var prepared = TilePairPreparation.Prepare(tile.Before, tile.After);
            foreach (var beforeDate in new[] { true, false })
            {
                var image = beforeDate ? prepared.Before : prepared.After;
                var keypoints = VehicleKeypoints.Find(image, gsd, f => baseModel.Objects(f));
                var present = pair.Objects.Where(o => beforeDate ? o.Before : o.After).Select(o => (X: o.X - tile.Window.X, Y: o.Y - tile.Window.Y)).ToList();
                var pairs = new List<(double Distance, int Keypoint, int Vehicle)>();
                for (var i = 0; i < keypoints.Count; i++)
                {
                    for (var j = 0; j < present.Count; j++)
                    {
                        var d = Math.Sqrt(Math.Pow(keypoints[i].X + 0.5 - present[j].X, 2) + Math.Pow(keypoints[i].Y + 0.5 - present[j].Y, 2));
                        if (d <= reach)
                        {
                            pairs.Add((d, i, j));
                        }
                    }
                }

                var (usedKeypoint, usedVehicle) = (new bool[keypoints.Count], new bool[present.Count]);
                foreach (var (_, i, j) in pairs.OrderBy(t => t.Distance).ThenBy(t => t.Keypoint).ThenBy(t => t.Vehicle))
                {
                    if (!usedKeypoint[i] && !usedVehicle[j])
                    {
                        (usedKeypoint[i], usedVehicle[j]) = (true, true);
                    }
                }

                bool InCore(double x, double y) => x >= margin && y >= margin && x < size - margin && y < size - margin;
                for (var j = 0; j < present.Count; j++)
                {
                    if (InCore(present[j].X, present[j].Y))
                    {
                        vehicles++;
                        matched += usedVehicle[j] ? 1 : 0;
                    }
                }

                for (var i = 0; i < keypoints.Count; i++)
                {
                    if (InCore(keypoints[i].X, keypoints[i].Y))
                    {
                        rows.Add(new KeypointRow { Features = keypoints[i].Features, Label = usedKeypoint[i] });
                    }
                }
            }
        }

        return (rows, vehicles, matched);
    }

    public static int Run(TrainCounterOptions options, string baseDirectory, bool gateDepartures, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        var baseModel = VehicleCountModel.Load(baseDirectory);
        var baseManifest = JsonSerializer.Deserialize<VehicleCountModel.Manifest>(File.ReadAllBytes(Path.Combine(baseDirectory, "model.json")))!;
        var scenes = CounterTraining.TrainingScenes(options.BuildUpScenes, options.NuisanceScenes, options.MixedScenes, options.Gsds)
            .AsParallel().AsOrdered().Select(j => Rows(j.Generate(), j.Gsd, baseModel)).ToList();
        var rows = scenes.SelectMany(s => s.Rows).ToList();
        var (vehicles, matched) = (scenes.Sum(s => s.Vehicles), scenes.Sum(s => s.Matched));
        output.WriteLine(Invariant($"{rows.Count} keypoints, {rows.Count(r => r.Label)} of them vehicles; {matched} of {vehicles} vehicles in the tile cores have a keypoint within {CounterTraining.MatchMetres} m; {clock.Elapsed.TotalSeconds:F0} s"));

        var context = new MLContext(options.Seed);
        var schema = SchemaDefinition.Create(typeof(KeypointRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, VehicleKeypoints.FeatureCount);
        var data = context.Data.LoadFromEnumerable(rows, schema);
        var trained = context.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = options.Trees, NumberOfLeaves = options.Leaves, MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf, LearningRate = 0.1,
            NumberOfThreads = 1, Seed = options.Seed, LabelColumnName = "Label", FeatureColumnName = "Features",
        }).Fit(data);
        var platt = trained.Model.Calibrator;
        output.WriteLine(Invariant($"trained, {clock.Elapsed.TotalSeconds:F0} s; Platt slope {platt.Slope:R}, offset {platt.Offset:R}"));

        Directory.CreateDirectory(options.Output);
        var zips = VehicleCountModel.Files.Select(f => File.ReadAllBytes(Path.Combine(baseDirectory, f))).ToList();
        using (var stream = new MemoryStream())
        {
            context.Model.Save(trained, data.Schema, stream);
            zips.Add(stream.ToArray());
        }

        var calibration = (platt.Slope, platt.Offset);
        var gate = ArrivalGates.Parse(baseManifest.ArrivalGate ?? "direction");
        var manifest = new VehicleCountModel.Manifest
        {
            Version = options.Version,
            Features = baseManifest.Features,
            ChangeFeatures = baseManifest.ChangeFeatures,
            Threshold = baseManifest.Threshold,
            ArrivalGate = baseManifest.ArrivalGate,
            BeforeUnit = VehicleCountModel.KeypointsUnit,
            KeypointFeatures = VehicleKeypoints.FeatureNames,
            KeypointCalibration = [platt.Slope, platt.Offset],
            DepartureGate = gateDepartures ? VehicleCountModel.BeforeCandidatesGate : null,
            Sha256 = VehicleCountModel.Hash(zips, baseManifest.Threshold, gate, calibration, gateDepartures),
            TrainedOn = Invariant($"candidate and arrival ensembles: {baseManifest.Version} ({baseManifest.TrainedOn}); keypoint ensemble: generated scenes only, build-up family {CounterTraining.BuildUpFamily} ({options.BuildUpScenes} scenes), nuisance-only family {CounterTraining.NuisanceFamily} ({options.NuisanceScenes}) and mixed family {CounterTraining.MixedFamily} ({options.MixedScenes}) at {string.Join(" and ", options.Gsds)} m{(gateDepartures ? "; departures count only where the before count's candidates hold a vehicle" : string.Empty)}"),
        };
        for (var i = 0; i < VehicleCountModel.Files.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(options.Output, VehicleCountModel.Files[i]), zips[i]);
        }

        File.WriteAllBytes(Path.Combine(options.Output, VehicleCountModel.KeypointFile), zips[^1]);
        File.WriteAllText(Path.Combine(options.Output, "model.json"), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        VehicleCountModel.Load(options.Output);
        output.WriteLine($"wrote {options.Output} (SHA-256 {manifest.Sha256}), {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }
}
