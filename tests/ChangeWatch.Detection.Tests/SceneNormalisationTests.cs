using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Detection.Tests;

public sealed class SceneNormalisationTests
{
    [Fact]
    public void Normalise_WithSceneStatistics_UsesTheScenesMedianAndInterquartileRange()
    {
        float[] band = [10, 20, 30, 40];
        byte[] valid = [1, 1, 1, 1];
        var z = new float[4];
        var sample = new float[RobustStats.MaxSample];

        DateNormalisation.Normalise(band, valid, 4, z, sample, new BandStatistics(0, 5, 10, 20, 23.49, 40, 50));

        // (v − 20) / (13.49 / 1.349) = (v − 20) / 10
        Assert.Equal([-1f, 0f, 1f, 2f], z.Select(v => MathF.Round(v, 4)));
    }

    [Fact]
    public void SceneBand_StatisticsOfAnotherBandCount_AreIgnored()
    {
        var statistics = new SceneStatistics([new BandStatistics(0, 1, 2, 3, 4, 5, 6)], 1, 10);

        Assert.NotNull(DateNormalisation.SceneBand(statistics, 1, 0));
        Assert.Null(DateNormalisation.SceneBand(statistics, 3, 0));
        Assert.Null(DateNormalisation.SceneBand(null, 1, 0));
    }

    [Fact]
    public void PixelScore_TilesWithSceneStatistics_AreCloserToWholeImageScoringThanTilesNormalisedOnTheirOwn()
    {
        var folder = Path.Combine(Some.RepoRoot(), "..", "shared", "data", "sztaki");
        if (!Directory.Exists(folder))
        {
            Assert.Skip($"No SZTAKI data under {folder}.");
        }

        var model = new CascadeChangeScorer(Some.ModelDirectory(), "v2").PixelModel;
        double perTile = 0, scene = 0;
        long n = 0;
        var counts = new long[3, 3]; // whole image, per tile, scene statistics × (true positives, false positives, false negatives)
        var threshold = (float)model.Threshold;
        foreach (var pair in ChangeDatasetReader.Read(folder, "sztaki").Take(2))
        {
            var before = new TileRaster(pair.Width, pair.Height, pair.Bands, pair.Before);
            var after = new TileRaster(pair.Width, pair.Height, pair.Bands, pair.After);
            var whole = new float[pair.PixelCount];
            model.Score(before, after, whole);
            var statistics = new ScenePairStatistics(Statistics(before), Statistics(after));

            var ownMap = Tiled(model, before, after, null);
            var sceneMap = Tiled(model, before, after, statistics);

            for (var i = 0; i < whole.Length; i++)
            {
                perTile += Math.Abs(ownMap[i] - whole[i]);
                scene += Math.Abs(sceneMap[i] - whole[i]);
                var truth = pair.Truth[i] != 0;
                foreach (var (m, map) in new[] { (0, whole), (1, ownMap), (2, sceneMap) })
                {
                    var changed = map[i] >= threshold;
                    counts[m, changed && truth ? 0 : changed ? 1 : truth ? 2 : 0] += changed || truth ? 1 : 0;
                }
            }

            n += whole.Length;
        }

        string F1(int m) => (2.0 * counts[m, 0] / Math.Max(1, 2 * counts[m, 0] + counts[m, 1] + counts[m, 2])).ToString("F3");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"mean |p − whole-image p|: per-tile {perTile / n:F4}, scene statistics {scene / n:F4}; pixel F1 at the model threshold " +
            $"(in-sample: v2 was trained on these images) whole image {F1(0)}, per-tile {F1(1)}, scene statistics {F1(2)}");
        Assert.True(scene < 0.75 * perTile, $"mean |p − whole-image p|: per-tile {perTile / n:F4}, scene statistics {scene / n:F4}");
    }

    /// <summary>Scene statistics as ingest computes them, over the whole image.</summary>
    private static SceneStatistics? Statistics(TileRaster raster)
    {
        var sampler = new SceneStatisticsSampler(raster.BandCount, raster.Width, raster.Height);
        var all = new PixelWindow(0, 0, raster.Width, raster.Height);
        sampler.Add(raster, all, all);
        return sampler.Build();
    }

    /// <summary>The pipeline's tiling: 256-px windows every 224 px (16 px of context, NaN outside the image), cores assembled.</summary>
    private static float[] Tiled(PixelChangeModel model, TileRaster before, TileRaster after, ScenePairStatistics? statistics)
    {
        var (w, h) = (before.Width, before.Height);
        var result = new float[w * h];
        var probability = new float[256 * 256];
        for (var cy = 0; cy < h; cy += 224)
        {
            for (var cx = 0; cx < w; cx += 224)
            {
                var (x0, y0) = (cx - 16, cy - 16);
                model.Score(Cut(before, x0, y0), Cut(after, x0, y0), probability, statistics);
                for (var y = 16; y < 240 && y0 + y < h; y++)
                {
                    for (var x = 16; x < 240 && x0 + x < w; x++)
                    {
                        result[(y0 + y) * w + x0 + x] = probability[y * 256 + x];
                    }
                }
            }
        }

        return result;
    }

    private static TileRaster Cut(TileRaster raster, int x0, int y0)
    {
        var tile = new TileRaster(256, 256, raster.BandCount);
        for (var b = 0; b < raster.BandCount; b++)
        {
            for (var y = Math.Max(0, -y0); y < 256 && y0 + y < raster.Height; y++)
            {
                var x = Math.Max(0, -x0);
                var len = Math.Min(256, raster.Width - x0) - x;
                raster.Row(b, y0 + y).Slice(x0 + x, len).CopyTo(tile.Row(b, y).Slice(x, len));
            }
        }

        return tile;
    }
}
