using System.Globalization;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Evaluation;
using ChangeWatch.Training.Modelling;

namespace ChangeWatch.Training;

/// <summary>
/// Command line: <c>train --out DIR [--seed N] [--pairs N] [--version V] [--trees N] [--leaves N]</c> (tile model on
/// synthetic pairs); <c>train-pixel --out DIR</c> (pixel model on the real datasets); <c>eval --data DIR --dataset
/// oscd|sztaki|levir [--mode shipped|loso|cross] [--model V] [--json]</c>.
/// </summary>
internal static class Program
{
    private const string Usage =
        "usage: ChangeWatch.Training train --out <dir> [--task tile|types] [--seed 1] [--pairs 2400] [--version <name of dir>] [--trees 100] [--leaves 15] [--min-precision 0.9] [--compare <earlier type model>]\n" +
        "       ChangeWatch.Training train-pixel --out <dir> [--shared <../shared/data>] [--version <name of dir>] [--trees 60] [--leaves 31] [--samples 40000] [--seed 1] [--stride 1-4] [--gate 0-1] [--synthetic <pairs added to training>] [--synthetic-samples <rows from them; default --samples>]\n" +
        "                                 [--experts true] [--expert-trees 60x31,30x15] [--expert-samples 40000,120000] [--expert-views all,no-levels,no-raster] [--expert-repeats 1: deals of the sites into the expert's 3 folds] [--expert-orders forward,both: the expert's rows with the dates as given, or half swapped] [--expert-smoothing box:2,guided:4:0.2: the expert's probability smoothing, chosen by its CV] [--transfer true: pooled model by the transfer recipe] [--nuisance <nuisance-only synthetic pairs added to the pooled model's training>] [--object-evidence <fewest arriving vehicles; 0 = none>]\n" +
        "       ChangeWatch.Training eval --data <dir> --dataset oscd|sztaki|levir|synthetic [--mode shipped|loso|cross] [--model v2 (v1 for synthetic)] [--json true]\n" +
        "                                 [--models <ml-models/models>] [--shared <../shared/data>] [--trees 60] [--leaves 31] [--samples 40000] [--seed 1] [--pool all|own] [--tile 0|256: whole images, or pipeline tiles with scene statistics, for training and scoring] [--score-tile 256: loso and cross score the test images so, training as --tile] [--pair-raster true: tiles get the pair's raster-level values, sampled as ingest samples them] [--pipeline-grid true: scored tiles on the pipeline's grid, 224 px cores, windows padded past the edge, tiles mostly outside unscored] [--stride 1-4] [--gate 0-1] [--gsd <metres a pixel of --data>] [--synthetic <pairs added to training>] [--synthetic-samples <rows from them; default --samples>]\n" +
        "                                 [--experts true] [--expert-trees 60x31,30x15] [--expert-samples 40000,120000] [--expert-views all,no-levels,no-raster] [--expert-repeats 1] [--expert-orders forward,both] [--expert-smoothing box:2,guided:4:0.2] [--seeds 1: loso/cross repeated with seeds seed..seed+K-1, mean reported] [--transfer true: cross's pooled model by the transfer recipe] [--nuisance <pairs>]\n" +
        "                                 synthetic only: [--only counts|false-alarms] [--counts test|tuning|development: the count and nuisance families] [--count-scenes 30: more only for tuning or development] [--counts-gsd 1] [--nuisance-gsd 1] [--counter objects-v4 (shipped)|rules|<version under --models>] [--explain true: with --only counts, where the vehicles go (census by change blob and candidate; a learned counter)]\n" +
        "       ChangeWatch.Training train-counter --out <dir> [--version <name of dir>] [--scenes 200] [--nuisance 80] [--gsd 1,0.5] [--trees 200] [--leaves 16] [--min-leaf 20] [--mixed 120] [--seed 1] [--arrival-gate direction-or-mixed|direction]   (learned vehicle count on generated scenes)\n" +
        "                                 [--before-unit keypoints --base <model under --models, e.g. objects-v2> [--models <ml-models/models>] [--departure-gate none|before-candidates]: the before image counted by keypoints, the base's other ensembles copied; then --scenes 100 --nuisance 40 --mixed 60 --leaves 32 by default]\n" +
        "                                 [--before-unit density --density <folder with density.bin and layers.json from ml-models/density/train.py> --base <model, e.g. objects-v3> [--after-unit change|density|density-where-arrivals]: the density network counts the before image (with density the after image too; with density-where-arrivals the after image of tiles where the change shows arrivals, at least the change's count), the base's ensembles copied]\n" +
        "       ChangeWatch.Training export-count-tiles --out <dir> [--scenes 200] [--nuisance 60] [--mixed 60] [--gsd 1,0.5]   (the density network's training tiles, prepared as the pipeline prepares them, for ml-models/density/train.py)\n" +
        "       ChangeWatch.Training dump-types --out <file.tsv> [--seed 41] [--pairs 1000] [--prepare true]   (change-type features of one seed family, for analysis)\n" +
        "       ChangeWatch.Training bench-scoring --data <dir> [--dataset sztaki|oscd|levir] [--model v2] [--models <ml-models/models>] | --dataset quiet (generated, no --data) [--stride 1-4] [--gate 0-1] [--repeat 3] [--profile true]";

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var options = ParseOptions(args.AsSpan(1));
            if (KnownOptions(args[0]) is { } known && options.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            {
                // A mistyped option would otherwise be ignored silently and the run would not be the one asked for.
                throw new FormatException($"{args[0]} takes no option --{unknown}; it takes {string.Join(", ", known.Order(StringComparer.Ordinal).Select(k => "--" + k))}");
            }

            PairTiling.TileSize = int.Parse(options.GetValueOrDefault("tile") ?? "0", CultureInfo.InvariantCulture);
            PairTiling.PairRaster = bool.Parse(options.GetValueOrDefault("pair-raster") ?? "false");
            PairTiling.PipelineGrid = bool.Parse(options.GetValueOrDefault("pipeline-grid") ?? "false");
            PairTiling.ScoreTileSize = options.GetValueOrDefault("score-tile") is { } scoreTile ? int.Parse(scoreTile, CultureInfo.InvariantCulture) : null;
            switch (args[0])
            {
                case "train":
                    var output = Require(options, "out");
                    var version = options.GetValueOrDefault("version") ?? Path.GetFileName(Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar));
                    var trainOptions = new TrainOptions(
                        output,
                        ulong.Parse(options.GetValueOrDefault("seed") ?? "1", CultureInfo.InvariantCulture),
                        int.Parse(options.GetValueOrDefault("pairs") ?? "2400", CultureInfo.InvariantCulture),
                        version,
                        new TreeSettings(
                            int.Parse(options.GetValueOrDefault("trees") ?? "100", CultureInfo.InvariantCulture),
                            int.Parse(options.GetValueOrDefault("leaves") ?? "15", CultureInfo.InvariantCulture)),
                        double.Parse(options.GetValueOrDefault("min-precision") ?? "0.9", CultureInfo.InvariantCulture),
                        options.GetValueOrDefault("compare"));
                    return options.GetValueOrDefault("task") switch
                    {
                        null or "tile" => TrainCommand.Run(trainOptions, Console.Out),
                        "types" => TrainTypesCommand.Run(trainOptions, Console.Out),
                        var task => throw new FormatException($"unknown --task '{task}' (tile or types)"),
                    };
                case "eval":
                    var dataset = Require(options, "dataset");
                    var synthetic = dataset == SyntheticEvaluation.Dataset;
                    return EvalCommand.Run(
                        new EvalOptions(
                            synthetic ? options.GetValueOrDefault("data") ?? string.Empty : Require(options, "data"),
                            dataset,
                            options.GetValueOrDefault("mode") ?? "shipped",
                            options.GetValueOrDefault("model") ?? (synthetic ? "v1" : "v2"),
                            options.GetValueOrDefault("models") ?? Path.Combine(RepoRoot(), "ml-models", "models"),
                            options.GetValueOrDefault("shared") ?? Path.Combine(RepoRoot(), "..", "shared", "data"),
                            options.GetValueOrDefault("json") is "true" or "1",
                            PixelSettings(options),
                            int.Parse(options.GetValueOrDefault("samples") ?? "40000", CultureInfo.InvariantCulture),
                            ulong.Parse(options.GetValueOrDefault("seed") ?? "1", CultureInfo.InvariantCulture),
                            options.GetValueOrDefault("pool") is not "own",
                            int.Parse(options.GetValueOrDefault("stride") ?? "1", CultureInfo.InvariantCulture),
                            double.Parse(options.GetValueOrDefault("gate") ?? "0", CultureInfo.InvariantCulture),
                            options.GetValueOrDefault("gsd") is { } gsd ? double.Parse(gsd, CultureInfo.InvariantCulture) : null,
                            int.Parse(options.GetValueOrDefault("synthetic") ?? "0", CultureInfo.InvariantCulture),
                            int.Parse(options.GetValueOrDefault("synthetic-samples") ?? "0", CultureInfo.InvariantCulture),
                            options.GetValueOrDefault("only"),
                            options.GetValueOrDefault("counts") ?? "test",
                            options.GetValueOrDefault("experts") is "true" or "1",
                            ExpertCandidates(options),
                            double.Parse(options.GetValueOrDefault("counts-gsd") ?? "1", CultureInfo.InvariantCulture),
                            ExpertSampleBudgets(options),
                            int.Parse(options.GetValueOrDefault("seeds") ?? "1", CultureInfo.InvariantCulture),
                            options.GetValueOrDefault("transfer") is "true" or "1",
                            double.Parse(options.GetValueOrDefault("nuisance-gsd") ?? "1", CultureInfo.InvariantCulture),
                            int.Parse(options.GetValueOrDefault("nuisance") ?? "0", CultureInfo.InvariantCulture),
                            ExpertViews(options),
                            int.Parse(options.GetValueOrDefault("expert-repeats") ?? "1", CultureInfo.InvariantCulture),
                            options.GetValueOrDefault("counter") ?? ChangeWatch.Detection.VehicleCountModel.ShippedVersion,
                            options.GetValueOrDefault("count-scenes") is { } countScenes ? int.Parse(countScenes, CultureInfo.InvariantCulture) : SyntheticEvaluation.CountSceneCount,
                            ExpertOrders(options),
                            ExpertSmoothings(options),
                            options.GetValueOrDefault("explain") is "true" or "1"),
                        Console.Out);
                case "train-counter" when options.GetValueOrDefault("before-unit") == ChangeWatch.Detection.VehicleCountModel.DensityUnit:
                    var densityOut = Require(options, "out");
                    return DensityCounterTraining.Run(
                        densityOut,
                        options.GetValueOrDefault("version") ?? Path.GetFileName(Path.GetFullPath(densityOut).TrimEnd(Path.DirectorySeparatorChar)),
                        Path.Combine(options.GetValueOrDefault("models") ?? Path.Combine(RepoRoot(), "ml-models", "models"), Require(options, "base")),
                        Require(options, "density"),
                        (options.GetValueOrDefault("after-unit") ?? "change") switch
                        {
                            "change" => null,
                            ChangeWatch.Detection.VehicleCountModel.DensityUnit or ChangeWatch.Detection.VehicleCountModel.DensityWhereArrivalsUnit => options["after-unit"],
                            var u => throw new FormatException($"unknown --after-unit '{u}' (change, density, density-where-arrivals)"),
                        },
                        Console.Out);
                case "train-counter" when options.GetValueOrDefault("before-unit") == "keypoints":
                    return KeypointCounterTraining.Run(
                        CounterOptions(options, scenes: 100, nuisance: 40, leaves: 32, mixed: 60),
                        Path.Combine(options.GetValueOrDefault("models") ?? Path.Combine(RepoRoot(), "ml-models", "models"), Require(options, "base")),
                        (options.GetValueOrDefault("departure-gate") ?? "none") switch
                        {
                            "none" => false,
                            ChangeWatch.Detection.VehicleCountModel.BeforeCandidatesGate => true,
                            var g => throw new FormatException($"unknown --departure-gate '{g}' (none, {ChangeWatch.Detection.VehicleCountModel.BeforeCandidatesGate})"),
                        },
                        Console.Out);
                case "train-counter":
                    return CounterTraining.Run(CounterOptions(options, scenes: 200, nuisance: 80, leaves: 16, mixed: 120), Console.Out);
                case "export-count-tiles":
                    return DensityTileExport.Run(
                        Require(options, "out"),
                        int.Parse(options.GetValueOrDefault("scenes") ?? "200", CultureInfo.InvariantCulture),
                        int.Parse(options.GetValueOrDefault("nuisance") ?? "60", CultureInfo.InvariantCulture),
                        int.Parse(options.GetValueOrDefault("mixed") ?? "60", CultureInfo.InvariantCulture),
                        Gsds(options),
                        Console.Out);
                case "dump-types":
                    return TypeFeatureDump.Run(
                        ulong.Parse(options.GetValueOrDefault("seed") ?? "41", CultureInfo.InvariantCulture),
                        int.Parse(options.GetValueOrDefault("pairs") ?? "1000", CultureInfo.InvariantCulture),
                        Require(options, "out"),
                        options.GetValueOrDefault("prepare") is not ("false" or "0"),
                        Console.Out);
                case "bench-scoring":
                    return ScoringBenchmark.Run(
                        options.GetValueOrDefault("dataset") == ScoringBenchmark.Quiet ? string.Empty : Require(options, "data"),
                        options.GetValueOrDefault("dataset") ?? "sztaki",
                        options.GetValueOrDefault("models") ?? Path.Combine(RepoRoot(), "ml-models", "models"),
                        options.GetValueOrDefault("model") ?? "v2",
                        options.GetValueOrDefault("stride") is { } benchStride ? int.Parse(benchStride, CultureInfo.InvariantCulture) : null,
                        options.GetValueOrDefault("gate") is { } benchGate ? double.Parse(benchGate, CultureInfo.InvariantCulture) : null,
                        int.Parse(options.GetValueOrDefault("repeat") ?? "3", CultureInfo.InvariantCulture),
                        options.GetValueOrDefault("profile") is "true",
                        Console.Out);
                case "train-pixel":
                    var pixelOut = Require(options, "out");
                    return TrainPixelCommand.Run(
                        new TrainPixelOptions(
                            pixelOut,
                            options.GetValueOrDefault("version") ?? Path.GetFileName(Path.GetFullPath(pixelOut).TrimEnd(Path.DirectorySeparatorChar)),
                            options.GetValueOrDefault("shared") ?? Path.Combine(RepoRoot(), "..", "shared", "data"),
                            PixelSettings(options),
                            int.Parse(options.GetValueOrDefault("samples") ?? "40000", CultureInfo.InvariantCulture),
                            ulong.Parse(options.GetValueOrDefault("seed") ?? "1", CultureInfo.InvariantCulture),
                            int.Parse(options.GetValueOrDefault("stride") ?? "1", CultureInfo.InvariantCulture),
                            double.Parse(options.GetValueOrDefault("gate") ?? "0", CultureInfo.InvariantCulture),
                            int.Parse(options.GetValueOrDefault("synthetic") ?? "0", CultureInfo.InvariantCulture),
                            int.Parse(options.GetValueOrDefault("synthetic-samples") ?? "0", CultureInfo.InvariantCulture),
                            options.GetValueOrDefault("experts") is "true" or "1",
                            ExpertCandidates(options),
                            ExpertSampleBudgets(options),
                            options.GetValueOrDefault("transfer") is "true" or "1",
                            int.Parse(options.GetValueOrDefault("nuisance") ?? "0", CultureInfo.InvariantCulture),
                            ExpertViews(options),
                            int.Parse(options.GetValueOrDefault("expert-repeats") ?? "1", CultureInfo.InvariantCulture),
                            int.Parse(options.GetValueOrDefault("object-evidence") ?? "0", CultureInfo.InvariantCulture),
                            ExpertOrders(options),
                            ExpertSmoothings(options)),
                        Console.Out);
                default:
                    Console.Error.WriteLine($"unknown verb '{args[0]}'");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException or InvalidDataException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    /// <summary><c>--arrival-gate</c>'s value as a gate; an unknown name is a usage error.</summary>
    private static ChangeWatch.Detection.ArrivalGate ArrivalGate(string name)
    {
        try
        {
            return ChangeWatch.Detection.ArrivalGates.Parse(name);
        }
        catch (InvalidDataException ex)
        {
            throw new FormatException($"--arrival-gate: {ex.Message}", ex);
        }
    }

    /// <summary>The GSDs of the count models' training scenes (<c>--gsd</c>, metres, comma-separated; 1 and 0.5 by default).</summary>
    private static double[] Gsds(Dictionary<string, string> options) =>
        (options.GetValueOrDefault("gsd") ?? "1,0.5").Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    /// <summary><c>train-counter</c>'s options, with the defaults of the kind of model trained (blob ensembles or the keypoint ensemble).</summary>
    private static TrainCounterOptions CounterOptions(Dictionary<string, string> options, int scenes, int nuisance, int leaves, int mixed)
    {
        var output = Require(options, "out");
        return new TrainCounterOptions(
            output,
            options.GetValueOrDefault("version") ?? Path.GetFileName(Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar)),
            int.Parse(options.GetValueOrDefault("scenes") ?? scenes.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            int.Parse(options.GetValueOrDefault("nuisance") ?? nuisance.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            Gsds(options),
            int.Parse(options.GetValueOrDefault("trees") ?? "200", CultureInfo.InvariantCulture),
            int.Parse(options.GetValueOrDefault("leaves") ?? leaves.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            int.Parse(options.GetValueOrDefault("min-leaf") ?? "20", CultureInfo.InvariantCulture),
            int.Parse(options.GetValueOrDefault("seed") ?? "1", CultureInfo.InvariantCulture),
            int.Parse(options.GetValueOrDefault("mixed") ?? mixed.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            ArrivalGate(options.GetValueOrDefault("arrival-gate") ?? "direction-or-mixed"));
    }

    /// <summary>
    /// The options <paramref name="verb"/> takes, read from <see cref="Usage"/> (its line and the indented lines after it),
    /// so the usage text and what is accepted cannot drift apart; null for a verb the usage does not name.
    /// </summary>
    internal static IReadOnlySet<string>? KnownOptions(string verb)
    {
        HashSet<string>? known = null;
        foreach (var line in Usage.Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("usage: ", StringComparison.Ordinal))
            {
                trimmed = trimmed["usage: ".Length..];
            }

            if (trimmed.StartsWith("ChangeWatch.Training ", StringComparison.Ordinal))
            {
                var name = trimmed["ChangeWatch.Training ".Length..].Split(' ')[0];
                if (known is not null)
                {
                    break;
                }

                if (name != verb)
                {
                    continue;
                }

                known = new HashSet<string>(StringComparer.Ordinal);
            }

            if (known is not null)
            {
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(line, "--([a-z][a-z-]*)"))
                {
                    known.Add(m.Groups[1].Value);
                }
            }
        }

        return known;
    }

    private static Dictionary<string, string> ParseOptions(ReadOnlySpan<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new FormatException($"expected --name value, got '{args[i]}'");
            }

            options[args[i][2..]] = args[++i];
        }

        return options;
    }

    /// <summary>--expert-smoothing "box:2,guided:4:0.2": the probability smoothings a resolution expert's cross-validation chooses between; null: the 5×5 box mean only.</summary>
    private static List<ChangeWatch.Detection.ProbabilitySmoothing>? ExpertSmoothings(Dictionary<string, string> options) =>
        options.GetValueOrDefault("expert-smoothing") is { } list ? [.. list.Split(',').Select(ChangeWatch.Detection.ProbabilitySmoothing.Parse)] : null;

    /// <summary>--expert-orders "forward,both": the date orders a resolution expert's rows are drawn in, chosen by its cross-validation; null: forward only.</summary>
    private static List<DateOrder>? ExpertOrders(Dictionary<string, string> options) =>
        options.GetValueOrDefault("expert-orders") is { } list ? [.. list.Split(',').Select(DateOrders.Parse)] : null;

    /// <summary>--expert-views "all,no-levels,no-raster": the feature views a resolution expert chooses among by cross-validation; null: every feature.</summary>
    private static List<FeatureView>? ExpertViews(Dictionary<string, string> options) =>
        options.GetValueOrDefault("expert-views") is { } list ? [.. list.Split(',').Select(FeatureView.Parse)] : null;

    /// <summary>--expert-samples "40000,120000": the training-row budgets a resolution expert chooses among (drawn from its own dataset); null: the pooled model's rows.</summary>
    private static List<int>? ExpertSampleBudgets(Dictionary<string, string> options) =>
        options.GetValueOrDefault("expert-samples") is { } list
            ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => int.Parse(c, CultureInfo.InvariantCulture))]
            : null;

    /// <summary>--expert-trees "60x31,30x15": the tree sizes a resolution expert chooses among; null: the default ones.</summary>
    private static List<PixelTreeSettings>? ExpertCandidates(Dictionary<string, string> options) =>
        options.GetValueOrDefault("expert-trees") is { } list
            ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(c => c.Split('x'))
                .Select(c => new PixelTreeSettings(int.Parse(c[0], CultureInfo.InvariantCulture), int.Parse(c[1], CultureInfo.InvariantCulture)))]
            : null;

    private static PixelTreeSettings PixelSettings(Dictionary<string, string> options) => new(
        int.Parse(options.GetValueOrDefault("trees") ?? "60", CultureInfo.InvariantCulture),
        int.Parse(options.GetValueOrDefault("leaves") ?? "31", CultureInfo.InvariantCulture));

    /// <summary>The folder holding ChangeWatch.slnx, searched upwards from the working directory, then from the program.</summary>
    private static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ChangeWatch.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private static string Require(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : throw new FormatException($"--{name} is required");
}
