using System.Diagnostics;
using System.Text.Json;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Modelling;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Evaluation;

/// <summary>
/// Scoring throughput of the chain the pipeline runs (<see cref="CascadeChangeScorer"/>.Assess: preparation, gate,
/// pixel features, ensemble, smoothing, mask, type, objects; each date normalised by its scene's statistics as ingest
/// samples them, and each pair's raster-level values sampled from its prepared tiles as ingest samples them, whose cost
/// is measured too) on pipeline tiles (256 px cores read with 16 px context) of the
/// pairs of one labelled dataset (SZTAKI by default; OSCD's whole city scenes or LEVIR with --dataset) or of the generated
/// quiet set (<see cref="QuietScenes"/>: mostly unchanged ground, as a monitored area is on most days), one tile per core at a time as ScoreTilesHandler does; the per-step breakdown; the chain without the
/// type step (objects still counted); the issue's measure, preparation + features + model (the chain without the type
/// and object steps: preparation, pixel model, mask); the pixel model alone (no preparation, mask
/// or type); the pixel model at
/// stride 1 (every pixel) for reference; and the CVA + Otsu peer, all in the same run. Each measurement is repeated and
/// the fastest round kept (other work on a shared machine only ever slows a round). Megapixels are of scene (tile
/// cores). The last line is one JSON object.
/// </summary>
internal static class ScoringBenchmark
{
    private const double TargetMps = 10.0;

    /// <summary>The <c>--dataset</c> of the generated quiet set (needs no ../shared data).</summary>
    public const string Quiet = "quiet";

    public static int Run(string data, string dataset, string modelsDirectory, string version, int? stride, double? gate, int repeat, bool profile, TextWriter output)
    {
        var loadBefore = LoadAverage();
        var pairs = dataset == Quiet ? QuietScenes() : ChangeDatasetReader.Read(data, dataset);
        var times = new ScoringStepTimes();
        var shipped = new CascadeChangeScorer(modelsDirectory, version) { Times = times };
        var scorer = stride is not null || gate is not null
            ? new CascadeChangeScorer(modelsDirectory, version, strideOverride: stride, gateOverride: gate) { Times = times }
            : shipped;
        var untyped = new CascadeChangeScorer(modelsDirectory, version, strideOverride: scorer.PixelModel.Stride, gateOverride: scorer.PixelModel.Gate) { ClassifyChangeType = false };
        var measured = new CascadeChangeScorer(modelsDirectory, version, strideOverride: scorer.PixelModel.Stride, gateOverride: scorer.PixelModel.Gate) { ClassifyChangeType = false, CountObjects = false };
        var everyPixel = shipped.PixelModel.With(stride: 1, gate: 0);
        var tiles = pairs.SelectMany(p => PairTiling.Tiles(p.Width, p.Height, 256).Select(t => (Pair: p, t.Read, t.Core))).ToArray();
        var corePixels = tiles.Sum(t => (double)t.Core.Width * t.Core.Height);
        var crops = tiles.Select(t => PairTiling.Crop(t.Pair, t.Read)).ToArray();

        // Each pair's scene statistics and raster-level values, as ingest samples them (the values from prepared tile pairs,
        // PairRasterTiles' choice), so each tile is normalised by its scenes and sees its pair's values as in the pipeline.
        var sceneStatistics = pairs.ToDictionary(p => p, PairTiling.SceneStatistics);
        var pairRaster = pairs.ToDictionary(p => p, p => PairTiling.SampleRaster(p, sceneStatistics[p], 256, prepare: true));
        var stats = tiles.Select(t => sceneStatistics[t.Pair] with { Raster = pairRaster[t.Pair] }).ToArray();
        var cores = Environment.ProcessorCount;
        output.WriteLine($"{pairs.Count} {dataset} pairs ({pairs[0].GroundSampleDistance} m), {tiles.Length} tiles (256 px cores + 16 px context), {corePixels / 1e6:F2} MP of scene per round, best of {repeat} rounds, {cores} cores");
        output.WriteLine($"model {version}: {shipped.PixelModel.Trees.TreeCount} trees, stride {scorer.PixelModel.Stride}, coarse-pass gate {scorer.PixelModel.Gate:F2}, tile gate {(shipped.Manifest.CascadeTileThreshold is > 0 ? $"{shipped.Manifest.CascadeTileModel} ≥ {shipped.Manifest.CascadeTileThreshold}" : "none")}");

        (double Wall, double Cpu) Best(Action<int> body)
        {
            var best = (Wall: double.MaxValue, Cpu: 0.0);
            for (var round = 0; round < repeat; round++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                Parallel.For(0, tiles.Length, new ParallelOptions { MaxDegreeOfParallelism = cores }, body);
                var wall = clock.Elapsed.TotalSeconds;
                if (wall < best.Wall)
                {
                    best = (wall, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
                }
            }

            return best;
        }

        if (profile)
        {
            Profile(measured, crops, stats, output);
            return 0;
        }

        // Warm-up (JIT, pools), then the measured runs.
        Parallel.For(0, tiles.Length, i => scorer.Assess(crops[i].Before, crops[i].After, stats[i], CancellationToken.None));
        var (chainHash, pixelHash) = OutputHashes(scorer, crops, stats);
        output.WriteLine($"outputs: chain {chainHash}, pixel model {pixelHash} (SHA-256 of every tile's assessment and mask, and of the pixel model's probabilities)");
        times.Clear();
        var flagged = 0;
        var chain = Best(i =>
        {
            if (scorer.Assess(crops[i].Before, crops[i].After, stats[i], CancellationToken.None).Flagged)
            {
                Interlocked.Increment(ref flagged);
            }
        });
        var binary = Best(i => untyped.Assess(crops[i].Before, crops[i].After, stats[i], CancellationToken.None));
        var issue = Best(i => measured.Assess(crops[i].Before, crops[i].After, stats[i], CancellationToken.None));
        var cva = Best(i => Cva(crops[i].Before, crops[i].After));

        // Ingest's extra pass per scene pair: its raster-level values from at most PairRasterTiles.Limit prepared tile pairs
        // (the pairs one after the other, each pair's tiles on every core, as IngestSceneHandler samples them).
        var pairPass = double.MaxValue;
        for (var round = 0; round < repeat; round++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var p in pairs)
            {
                PairTiling.SampleRaster(p, sceneStatistics[p], 256, prepare: true);
            }

            pairPass = Math.Min(pairPass, clock.Elapsed.TotalSeconds);
        }

        var model = Best(i => scorer.PixelModel.Score(crops[i].Before, crops[i].After, new float[crops[i].Before.Width * crops[i].Before.Height], stats[i]));
        var stride1 = Best(i => everyPixel.Score(crops[i].Before, crops[i].After, new float[crops[i].Before.Width * crops[i].Before.Height], stats[i]));

        double Mps(double seconds) => corePixels / 1e6 / seconds;
        var steps = Enum.GetValues<ScoringStep>().ToDictionary(
            step => step,
            step => (Seconds: times.Seconds(step) / repeat, Tiles: times.Tiles(step) / repeat));
        var stepSeconds = steps.Values.Sum(v => v.Seconds);
        output.WriteLine($"chain (CascadeChangeScorer.Assess):  {Mps(chain.Wall),7:F2} MP/s  ({chain.Wall:F3} s wall, {chain.Cpu:F2} CPU s: {corePixels / 1e6 / chain.Cpu * cores:F2} MP/s if every core were free; {flagged / repeat} of {tiles.Length} tiles flagged)");
        foreach (var (step, v) in steps)
        {
            var share = stepSeconds > 0 ? v.Seconds / stepSeconds : 0;
            output.WriteLine($"  {step,-12} {v.Tiles,4} tiles  {v.Seconds,7:F3} thread-s  {share,6:P1}  alone at {(v.Seconds > 0 ? Mps(v.Seconds / cores) : double.PositiveInfinity),8:F1} MP/s");
        }

        output.WriteLine($"  ensemble evaluated at {(times.Points > 0 ? times.PointsEvaluated / (double)times.Points : 0):P1} of the grid points (the rest interpolated by the coarse-pass gate)");
        output.WriteLine($"chain without the type step:          {Mps(binary.Wall),7:F2} MP/s  ({binary.Wall:F3} s wall, {binary.Cpu:F2} CPU s: {corePixels / 1e6 / binary.Cpu * cores:F2} MP/s if every core were free)");
        output.WriteLine($"preparation + features + model (+ mask; no type, no objects): {Mps(issue.Wall),7:F2} MP/s  ({issue.Wall:F3} s wall, {issue.Cpu:F2} CPU s: {corePixels / 1e6 / issue.Cpu * cores:F2} MP/s if every core were free)");
        output.WriteLine($"pixel model alone (features, ensemble, smoothing; stride {scorer.PixelModel.Stride}, gate {scorer.PixelModel.Gate:F2}): {Mps(model.Wall),7:F2} MP/s  ({model.Cpu:F2} CPU s: {corePixels / 1e6 / model.Cpu * cores:F2} MP/s if every core were free)");
        output.WriteLine($"pixel model at stride 1 (every pixel): {Mps(stride1.Wall),7:F2} MP/s  ({stride1.Cpu:F2} CPU s: {corePixels / 1e6 / stride1.Cpu * cores:F2} MP/s if every core were free)");
        output.WriteLine($"CVA + Otsu peer:                      {Mps(cva.Wall),7:F2} MP/s");
        output.WriteLine($"pair raster values (ingest, once per scene pair, ≤ {PairRasterTiles.Limit} prepared tile pairs each): {pairPass:F3} s wall for the {pairs.Count} pairs, {Mps(pairPass),7:F2} MP/s of scene, {pairPass / issue.Wall:P1} of preparation + features + model");
        output.WriteLine($"ratio chain / CVA: {cva.Wall / chain.Wall:F2}, without the type step {cva.Wall / binary.Wall:F2}; target {TargetMps} MP/s for preparation + features + model: {(Mps(issue.Wall) >= TargetMps ? "met" : "not met")} in wall time, {(corePixels / 1e6 / issue.Cpu * cores >= TargetMps ? "met" : "not met")} in CPU time (target_met, as before: the chain without the type step but with objects, wall: {(Mps(binary.Wall) >= TargetMps ? "met" : "not met")}); load average {loadBefore} → {LoadAverage()}");
        var json = new Dictionary<string, object>
        {
            ["benchmark"] = "scoring",
            ["dataset"] = dataset,
            ["cores"] = cores,
            ["megapixels"] = Math.Round(corePixels / 1e6, 3),
            ["rounds"] = repeat,
            ["model"] = version,
            ["trees"] = shipped.PixelModel.Trees.TreeCount,
            ["stride"] = scorer.PixelModel.Stride,
            ["tile_gate"] = shipped.Manifest.CascadeTileThreshold ?? 0.0,
            ["coarse_gate"] = scorer.PixelModel.Gate,
            ["grid_points_evaluated"] = Math.Round(times.Points > 0 ? times.PointsEvaluated / (double)times.Points : 0, 4),
            ["chain_mps"] = Math.Round(Mps(chain.Wall), 2),
            ["chain_cpu_seconds"] = Math.Round(chain.Cpu, 3),
            ["chain_mps_if_cores_free"] = Math.Round(corePixels / 1e6 / chain.Cpu * cores, 2),
            ["untyped_chain_mps"] = Math.Round(Mps(binary.Wall), 2),
            ["untyped_chain_mps_if_cores_free"] = Math.Round(corePixels / 1e6 / binary.Cpu * cores, 2),
            ["steps_share"] = steps.ToDictionary(kv => kv.Key.ToString().ToLowerInvariant(), kv => Math.Round(stepSeconds > 0 ? kv.Value.Seconds / stepSeconds : 0, 4)),
            ["steps_tiles"] = steps.ToDictionary(kv => kv.Key.ToString().ToLowerInvariant(), kv => kv.Value.Tiles),
            ["tiles"] = tiles.Length,
            ["tiles_flagged"] = flagged / repeat,
            ["pixel_model_mps"] = Math.Round(Mps(model.Wall), 2),
            ["pixel_model_mps_if_cores_free"] = Math.Round(corePixels / 1e6 / model.Cpu * cores, 2),
            ["stride1_mps"] = Math.Round(Mps(stride1.Wall), 2),
            ["stride1_mps_if_cores_free"] = Math.Round(corePixels / 1e6 / stride1.Cpu * cores, 2),
            ["cva_mps"] = Math.Round(Mps(cva.Wall), 2),
            ["ratio_chain_vs_cva"] = Math.Round(cva.Wall / chain.Wall, 3),
            ["target_mps"] = TargetMps,
            ["target_met"] = Mps(binary.Wall) >= TargetMps,
            ["preparation_features_model_mps"] = Math.Round(Mps(issue.Wall), 2),
            ["preparation_features_model_cpu_seconds"] = Math.Round(issue.Cpu, 3),
            ["preparation_features_model_mps_if_cores_free"] = Math.Round(corePixels / 1e6 / issue.Cpu * cores, 2),
            ["target_met_preparation_features_model_wall"] = Mps(issue.Wall) >= TargetMps,
            ["target_met_preparation_features_model_cpu_time"] = corePixels / 1e6 / issue.Cpu * cores >= TargetMps,
            ["pair_raster_seconds"] = Math.Round(pairPass, 3),
            ["pair_raster_mps"] = Math.Round(Mps(pairPass), 2),
            ["pair_raster_share_of_preparation_features_model"] = Math.Round(pairPass / issue.Wall, 4),
            ["load_average"] = LoadAverage(),
            ["chain_output_sha256"] = chainHash,
            ["pixel_output_sha256"] = pixelHash,
        };
        output.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }

    /// <summary>
    /// SHA-256 (first 16 hex digits) of every tile's assessment (its record text, doubles round-trip) and mask in tile
    /// order, and of the pixel model's probabilities: equal hashes, identical outputs.
    /// </summary>
    private static (string Chain, string Pixels) OutputHashes(CascadeChangeScorer scorer, (TileRaster Before, TileRaster After)[] crops, ScenePairStatistics[] stats)
    {
        using var chain = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var pixels = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        for (var i = 0; i < crops.Length; i++)
        {
            var assessment = scorer.Assess(crops[i].Before, crops[i].After, stats[i], CancellationToken.None);
            chain.AppendData(System.Text.Encoding.UTF8.GetBytes((assessment with { ChangeMask = null }).ToString()));
            chain.AppendData(assessment.ChangeMask ?? []);
            var probability = new float[crops[i].Before.Width * crops[i].Before.Height];
            scorer.PixelModel.Score(crops[i].Before, crops[i].After, probability, stats[i]);
            pixels.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(probability.AsSpan()));
        }

        return (Convert.ToHexString(chain.GetHashAndReset())[..16].ToLowerInvariant(), Convert.ToHexString(pixels.GetHashAndReset())[..16].ToLowerInvariant());
    }

    /// <summary>
    /// One thread, tile after tile: the CPU milliseconds per tile (best of 5 rounds over every tile) of each part of the
    /// issue's measure (preparation: co-registration and cloud masks; the pixel model's features at its stride and at
    /// twice it; the pixel model; the measured chain) and of the type step's tile features.
    /// </summary>
    private static void Profile(CascadeChangeScorer measured, (TileRaster Before, TileRaster After)[] crops, ScenePairStatistics[] stats, TextWriter output)
    {
        var prepared = crops.Select((c, i) => TilePairPreparation.Prepare(c.Before, c.After, stats[i])).ToArray();
        var n = crops.Max(c => c.Before.Width * c.Before.Height);
        var reasons = new byte[2 * n];
        var probability = new float[n];
        var planes = new float[PixelFeatures.Count * n];
        var valid = new byte[n];
        var tileFeatures = new float[TilePairFeatures.Count];
        var model = measured.PixelModel;
        output.WriteLine("one thread, CPU ms per tile (best of 5 rounds):");
        Time("co-registration (TileCoRegistration.Align)", i => TileCoRegistration.Align(crops[i].Before, crops[i].After));
        Time("cloud masks, both dates (CloudMask.MarkBoth)", i =>
        {
            var m = crops[i].Before.Width * crops[i].Before.Height;
            reasons.AsSpan().Clear();
            CloudMask.MarkBoth(prepared[i].After, prepared[i].Before, reasons.AsSpan(m, m), reasons.AsSpan(0, m));
        });
        Time("preparation (TilePairPreparation.Prepare)", i => TilePairPreparation.Prepare(crops[i].Before, crops[i].After, stats[i]));
        Time($"pixel features at stride {model.Stride}", i => PixelFeatures.Compute(prepared[i].Before, prepared[i].After, planes, valid, model.Stride, stats[i]));
        Time($"pixel features at stride {2 * model.Stride} (the coarse grid)", i => PixelFeatures.Compute(prepared[i].Before, prepared[i].After, planes, valid, 2 * model.Stride, stats[i]));
        Time("pixel model (PixelChangeModel.Score)", i => model.Score(prepared[i].Before, prepared[i].After, probability, stats[i]));
        Time("preparation + features + model (+ mask)", i => measured.Assess(crops[i].Before, crops[i].After, stats[i], CancellationToken.None));
        Time("type step's tile features (TilePairFeatures)", i => TilePairFeatures.Compute(prepared[i].Before, prepared[i].After, tileFeatures));

        void Time(string name, Action<int> body)
        {
            var best = double.MaxValue;
            for (var round = 0; round < 5; round++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (var i = 0; i < crops.Length; i++)
                {
                    body(i);
                }

                best = Math.Min(best, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / crops.Length);
            }

            output.WriteLine($"  {name,-52} {best,7:F2}");
        }
    }

    /// <summary>
    /// The quiet set, at 1 m: 24 nuisance-only scenes of 672 px (illumination, haze, ≤ 2 px misregistration, noise;
    /// static vehicles in 40 %; <see cref="EvalScenes.NuisanceOnly"/>) and 3 vehicle build-up scenes of 512 px
    /// (<see cref="CountScenes.BuildUp"/>), so about one tile in twenty holds a change of interest and the type and
    /// object steps run where the cascade flags, as on a monitored area's ordinary day. Family
    /// <see cref="SyntheticSeeds.BenchQuiet"/>: deterministic, used for speed only.
    /// </summary>
    internal static List<ChangePair> QuietScenes()
    {
        var quiet = Enumerable.Range(0, 24).AsParallel().AsOrdered()
            .Select(i => EvalScenes.ToChangePair(EvalScenes.NuisanceOnly(SyntheticSeeds.BenchQuiet, i), $"quiet-{i:D2}"));
        var buildUps = Enumerable.Range(0, 3).AsParallel().AsOrdered()
            .Select(i => EvalScenes.ToChangePair(CountScenes.BuildUp(SyntheticSeeds.BenchQuiet, i), $"build-up-{i}"));
        return [.. quiet, .. buildUps];
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static void Cva(TileRaster before, TileRaster after)
    {
        var n = before.Width * before.Height;
        var pair = new ChangePair("b", "b", "b", before.Width, before.Height, before.BandCount, before.Data, after.Data, new byte[n]);
        CvaBaseline.Run(pair);
    }
}
