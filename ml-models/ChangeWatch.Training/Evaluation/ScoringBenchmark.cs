using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Detection;
using ChangeWatch.Training.Modelling;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Evaluation;

/// <summary>
/// Scoring throughput on pipeline tiles (256 px cores read with 16 px context) of the SZTAKI pairs, on every core:
/// per step (tile features + tile model, pixel features, pixel ensemble, smoothing), for the pixel model on every tile,
/// for the cascade at a given tile gate, and for the CVA + Otsu peer in the same run. Megapixels are of scene (tile cores).
/// </summary>
internal static class ScoringBenchmark
{
    public static int Run(string data, string modelsDirectory, string version, double gate, int repeat, TextWriter output)
    {
        var pairs = ChangeDatasetReader.Read(data, "sztaki");
        var pixelModel = PixelModelFile.Load(Path.Combine(modelsDirectory, version), out var manifest, out _);
        var tileScorer = new MlNetChangeScorer(modelsDirectory, manifest.CascadeTileModel ?? "v1", 0.0);
        var tiles = pairs.SelectMany(p => PairTiling.Tiles(p.Width, p.Height, 256).Select(t => (Pair: p, t.Read, t.Core))).ToArray();
        var corePixels = tiles.Sum(t => (double)t.Core.Width * t.Core.Height) * repeat;
        var crops = tiles.Select(t => PairTiling.Crop(t.Pair, t.Read)).ToArray();
        output.WriteLine($"{pairs.Count} SZTAKI pairs, {tiles.Length} tiles × {repeat}, {corePixels / 1e6:F1} MP of scene, {Environment.ProcessorCount} cores, model {version} ({pixelModel.Trees.TreeCount} trees)");

        var ticks = new long[5];
        var passed = 0;
        void Time(int step, Action action)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            Interlocked.Add(ref ticks[step], Stopwatch.GetTimestamp() - start);
        }

        double Wall(Action<int> body)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, tiles.Length * repeat, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => body(i % tiles.Length));
            return clock.Elapsed.TotalSeconds;
        }

        // Warm-up (JIT, pools).
        Wall(i => pixelModel.Score(crops[i].Before, crops[i].After, new float[crops[i].Before.Width * crops[i].Before.Height]));

        var cvaSeconds = Wall(i => Cva(crops[i].Before, crops[i].After));
        Array.Clear(ticks);
        var fullSeconds = Wall(i =>
        {
            var (before, after) = crops[i];
            var n = before.Width * before.Height;
            var planes = new float[PixelFeatures.Count * n];
            var valid = new byte[n];
            var raw = new float[n];
            var smooth = new float[n];
            Time(1, () => PixelFeatures.Compute(before, after, planes, valid));
            Time(2, () => pixelModel.Trees.Predict(planes, n, valid, raw));
            Time(3, () => Smooth(raw, before.Width, before.Height, smooth));
        });
        var tileSeconds = Wall(i => Time(0, () => tileScorer.Assess(crops[i].Before, crops[i].After, CancellationToken.None)));
        var cascadeSeconds = Wall(i =>
        {
            var assessment = tileScorer.Assess(crops[i].Before, crops[i].After, CancellationToken.None);
            if (assessment.Probability >= gate)
            {
                Interlocked.Increment(ref passed);
                pixelModel.Score(crops[i].Before, crops[i].After, new float[crops[i].Before.Width * crops[i].Before.Height]);
            }
        });

        double Mps(double seconds) => corePixels / 1e6 / seconds;
        double StepMps(int step) => corePixels / 1e6 / (ticks[step] / (double)Stopwatch.Frequency / Environment.ProcessorCount);
        var passFraction = passed / (double)(tiles.Length * repeat);
        output.WriteLine($"CVA + Otsu peer:                 {Mps(cvaSeconds),7:F2} MP/s");
        output.WriteLine($"tile model alone (v1 features):  {Mps(tileSeconds),7:F2} MP/s");
        output.WriteLine($"pixel model on every tile:       {Mps(fullSeconds),7:F2} MP/s  (steps, each alone: pixel features {StepMps(1):F2}, ensemble {StepMps(2):F2}, smoothing {StepMps(3):F2} MP/s)");
        output.WriteLine($"cascade, tile gate {gate:F2}:        {Mps(cascadeSeconds),7:F2} MP/s  ({passFraction:P0} of tiles passed to the pixel model)");
        output.WriteLine($"ratio cascade / CVA: {(cascadeSeconds > 0 ? cvaSeconds / cascadeSeconds : 0):F2}; pixel-every-tile / CVA: {cvaSeconds / fullSeconds:F2}");
        var json = new Dictionary<string, object>
        {
            ["benchmark"] = "scoring",
            ["cores"] = Environment.ProcessorCount,
            ["megapixels"] = Math.Round(corePixels / 1e6, 2),
            ["trees"] = pixelModel.Trees.TreeCount,
            ["cva_mps"] = Math.Round(Mps(cvaSeconds), 2),
            ["tile_model_mps"] = Math.Round(Mps(tileSeconds), 2),
            ["pixel_every_tile_mps"] = Math.Round(Mps(fullSeconds), 2),
            ["pixel_features_mps"] = Math.Round(StepMps(1), 2),
            ["ensemble_mps"] = Math.Round(StepMps(2), 2),
            ["smoothing_mps"] = Math.Round(StepMps(3), 2),
            ["cascade_gate"] = gate,
            ["cascade_pass_fraction"] = Math.Round(passFraction, 3),
            ["cascade_mps"] = Math.Round(Mps(cascadeSeconds), 2),
        };
        output.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }

    private static void Smooth(float[] raw, int w, int h, float[] destination)
    {
        // The same 5×5 box mean the model applies, timed on its own.
        var model = destination;
        var integral = new double[(w + 1) * (h + 1)];
        for (var y = 0; y < h; y++)
        {
            double run = 0;
            for (var x = 0; x < w; x++)
            {
                run += raw[y * w + x];
                integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + run;
            }
        }

        for (var y = 0; y < h; y++)
        {
            var (y0, y1) = (Math.Max(0, y - 2), Math.Min(h, y + 3));
            for (var x = 0; x < w; x++)
            {
                var (x0, x1) = (Math.Max(0, x - 2), Math.Min(w, x + 3));
                model[y * w + x] = (float)((integral[y1 * (w + 1) + x1] - integral[y1 * (w + 1) + x0] - integral[y0 * (w + 1) + x1] + integral[y0 * (w + 1) + x0]) / ((x1 - x0) * (y1 - y0)));
            }
        }
    }

    private static void Cva(TileRaster before, TileRaster after)
    {
        var n = before.Width * before.Height;
        var pair = new ChangePair("b", "b", "b", before.Width, before.Height, before.BandCount, before.Data, after.Data, new byte[n]);
        CvaBaseline.Run(pair);
    }
}
