using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Tests.Fakes;

namespace ChangeWatch.Core.Tests;

public sealed class SceneStatisticsTests
{
    private const string Aoi = "stats-area";

    [Fact]
    public async Task Ingest_Scene_RecordsStatisticsEqualToADirectComputationOfEveryPixel()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        await h.DrainAsync();

        var scene = Assert.Single(await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None));
        var statistics = Assert.IsType<SceneStatistics>(scene.Statistics);
        // 150 × 130 pixels are under the 65 536 lattice points: every pixel is sampled once, so the quantiles are exact.
        var values = new List<float>();
        for (var y = 0; y < 130; y++)
        {
            for (var x = 0; x < 150; x++)
            {
                values.Add((x + 2 * y) % 200 + 10 + (x is >= 70 and < 90 && y is >= 40 and < 60 ? 100 : 0));
            }
        }

        var sorted = values.Order().ToArray();
        Assert.Equal((1, 150 * 130, 3), (statistics.LatticeStep, statistics.SampleCount, statistics.Bands.Count));
        foreach (var band in statistics.Bands)
        {
            Assert.Equal(SceneStatisticsSampler.Quantile(sorted, 0.5), band.Median, 1e-3);
            Assert.Equal(SceneStatisticsSampler.Quantile(sorted, 0.25), band.P25, 1e-3);
            Assert.Equal(SceneStatisticsSampler.Quantile(sorted, 0.75), band.P75, 1e-3);
            Assert.Equal(SceneStatisticsSampler.Quantile(sorted, 0.02), band.P02, 1e-3);
            Assert.Equal(SceneStatisticsSampler.Quantile(sorted, 0.98), band.P98, 1e-3);
        }
    }

    [Fact]
    public async Task ScoreTiles_SecondScene_GivesTheScorerBothScenesStatistics()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        await h.DrainAsync();

        var scenes = await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None);
        var after = scenes.Single(s => s.BaselineId is not null);
        var before = scenes.Single(s => s.BaselineId is null);
        var given = Assert.IsType<ScenePairStatistics>(h.Scorer.LastStatistics);
        Assert.Equal(before.Statistics!.Bands, given.Before!.Bands);
        Assert.Equal(after.Statistics!.Bands, given.After!.Bands);
        Assert.True(given.After!.Bands[0].P98 > given.Before!.Bands[0].P98, "the change box brightens the after scene's top end");
    }

    [Fact]
    public void SceneRecord_WithStatistics_RoundTripsThroughThePipelinesJson()
    {
        var statistics = new SceneStatistics([new BandStatistics(1, 2, 3, 4.5, 6, 7, 8.25), new BandStatistics(10, 20, 30, 40, 50, 60, 70)], 3, 1234);
        var scene = new SceneRecord
        {
            Id = SceneId.FromSha256(new string('b', 64)), Aoi = Aoi, Sha256 = new string('b', 64), BlobName = "a/b.tif", Length = 10,
            Width = 5, Height = 5, BandCount = 2, Format = RasterFormat.Tiff, Metadata = new SceneMetadata { AcquiredAt = DateTimeOffset.UnixEpoch },
            Statistics = statistics,
        };

        var back = System.Text.Json.JsonSerializer.Deserialize<SceneRecord>(PipelineJson.Serialize(scene), PipelineJson.Options)!;

        Assert.Equal((3, 1234), (back.Statistics!.LatticeStep, back.Statistics.SampleCount));
        Assert.Equal(statistics.Bands, back.Statistics.Bands);
    }

    [Fact]
    public void Sampler_LargeSceneReadTileByTile_QuantilesWithinHalfAPercentOfTheSpreadOfTheExactOnes()
    {
        const int w = 1000, h = 900;
        var scene = SmoothScene(w, h);
        var grid = new AoiGrid(Aoi, 256, 32, null, w, h);
        var placement = grid.Place(w, h, null);

        var statistics = Sample(grid, placement, scene, w, h, reverse: false)!;

        var sorted = scene.Where(float.IsFinite).Order().ToArray();
        var spread = SceneStatisticsSampler.Quantile(sorted, 0.98) - SceneStatisticsSampler.Quantile(sorted, 0.02);
        var band = Assert.Single(statistics.Bands);
        Assert.Equal(4, statistics.LatticeStep);
        Assert.InRange(statistics.SampleCount, 50_000, SceneStatisticsSampler.MaxSamples + 1000);
        foreach (var (q, value) in new[] { (0.02, band.P02), (0.1, band.P10), (0.25, band.P25), (0.5, band.Median), (0.75, band.P75), (0.9, band.P90), (0.98, band.P98) })
        {
            Assert.True(Math.Abs(value - SceneStatisticsSampler.Quantile(sorted, q)) <= 0.005 * spread,
                $"q{q}: sampled {value:F3}, exact {SceneStatisticsSampler.Quantile(sorted, q):F3}, spread {spread:F1}");
        }
    }

    [Fact]
    public void Sampler_TilesInAnotherOrder_GiveTheSameStatistics()
    {
        const int w = 700, h = 520;
        var scene = SmoothScene(w, h);
        var grid = new AoiGrid(Aoi, 256, 32, null, w, h);
        var placement = grid.Place(w, h, null);

        var forward = Sample(grid, placement, scene, w, h, reverse: false)!;
        var backward = Sample(grid, placement, scene, w, h, reverse: true)!;

        Assert.Equal(forward.Bands, backward.Bands);
        Assert.Equal(forward.SampleCount, backward.SampleCount);
    }

    /// <summary>Reads the scene tile by tile as ingest does (NaN outside the scene) and samples each tile's core.</summary>
    private static SceneStatistics? Sample(AoiGrid grid, ScenePlacement placement, float[] scene, int w, int h, bool reverse)
    {
        var sampler = new SceneStatisticsSampler(1, placement.Width, placement.Height);
        var tiles = grid.TilesCovering(placement).ToList();
        if (reverse)
        {
            tiles.Reverse();
        }

        foreach (var tile in tiles)
        {
            var window = grid.TileWindow(tile);
            var raster = new TileRaster(window.Width, window.Height, 1);
            var source = placement.ToScene(window);
            for (var y = 0; y < window.Height; y++)
            {
                for (var x = 0; x < window.Width; x++)
                {
                    var (sx, sy) = (source.X + x, source.Y + y);
                    if (sx >= 0 && sy >= 0 && sx < w && sy < h)
                    {
                        raster.Row(0, y)[x] = scene[sy * w + sx];
                    }
                }
            }

            sampler.Add(raster, window, grid.CoreWindow(tile));
        }

        return sampler.Build();
    }

    private static float[] SmoothScene(int w, int h)
    {
        var data = new float[w * h];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                data[y * w + x] = (float)(1000 + 300 * Math.Sin(x * 0.013 + 0.4) * Math.Cos(y * 0.021) + 120 * Math.Sin((x + 3 * y) * 0.07) + (x * 7 + y * 13) % 50);
            }
        }

        data[5] = float.NaN; // no data is skipped
        return data;
    }
}
