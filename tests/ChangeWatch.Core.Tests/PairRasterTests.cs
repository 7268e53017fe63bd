using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Tests.Fakes;

namespace ChangeWatch.Core.Tests;

/// <summary>The scene pair's raster-level values: sampled at ingest (<see cref="IngestSceneHandler"/>), kept with the scene, given to every tile.</summary>
public sealed class PairRasterTests
{
    private const string Aoi = "pair-area";

    [Fact]
    public async Task Ingest_SecondScene_RecordsThePairsValuesFromEveryTileCore_AndScoringGivesThemToTheScorer()
    {
        var h = new PipelineHarness();
        h.Scorer.SamplesPairRaster = true;
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        Assert.Empty(h.Scorer.Samplers); // an AOI's first scene has no pair
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        await h.DrainAsync();

        var scenes = await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None);
        Assert.Null(scenes.Single(s => s.BaselineId is null).PairRaster);
        var after = scenes.Single(s => s.BaselineId is not null);

        // The fake's values: mean and largest |after − before| of band 0 and the pixels seen, over every core pixel in the
        // scene: the cores partition the grid, so each of the 150 × 130 pixels once, 20 × 20 of them changed by 100.
        var expected = new PairRasterValues(20 * 20 * 100f / (150 * 130), 100, 150 * 130);
        Assert.Equal(expected, after.PairRaster);
        var sampler = Assert.Single(h.Scorer.Samplers);
        Assert.Equal(after.TileCount, sampler.Cores.Count);
        Assert.Equal(after.TileCount, sampler.Cores.Distinct().Count());
        Assert.Equal(after.TileCount * 56L * 56L, sampler.Pixels);
        Assert.Equal(expected, h.Scorer.LastStatistics!.Raster);
    }

    [Fact]
    public async Task Ingest_Redelivered_RecordsTheSameValues()
    {
        var h = new PipelineHarness();
        h.Scorer.SamplesPairRaster = true;
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync(redeliver: true);
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (30, 30, 40)));
        await h.DrainAsync(redeliver: true);

        var after = (await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None)).Single(s => s.BaselineId is not null);
        Assert.Equal(new PairRasterValues(40 * 40 * 100f / (150 * 130), 100, 150 * 130), after.PairRaster);
        Assert.Equal(after.PairRaster, h.Scorer.LastStatistics!.Raster);
    }

    [Fact]
    public async Task Ingest_ScorerWithoutPairValues_RecordsNone_AndTilesGetNone()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        await h.DrainAsync();

        Assert.All(await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None), s => Assert.Null(s.PairRaster));
        Assert.Null(h.Scorer.LastStatistics!.Raster);
        Assert.NotNull(h.Scorer.LastStatistics.After); // the scenes' statistics are still given
    }

    [Fact]
    public async Task Ingest_LargeScene_SamplesAtMostTheLimitOfTiles_SpreadOverThePair()
    {
        var h = new PipelineHarness();
        h.Scorer.SamplesPairRaster = true;
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(700, 650));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(700, 650, change: (300, 300, 50)));
        await h.DrainAsync();

        var after = (await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None)).Single(s => s.BaselineId is not null);
        Assert.True(after.TileCount > PairRasterTiles.Limit, $"{after.TileCount} tiles");
        var cores = Assert.Single(h.Scorer.Samplers).Cores;
        Assert.InRange(cores.Count, PairRasterTiles.Limit / 4, PairRasterTiles.Limit);
        Assert.True(cores.Min(c => c.X) < 150 && cores.Max(c => c.X) > 500, "spread across the columns");
        Assert.True(cores.Min(c => c.Y) < 150 && cores.Max(c => c.Y) > 450, "spread across the rows");
        Assert.NotNull(after.PairRaster);
    }

    [Fact]
    public void SceneRecord_RoundTripsThePairsValues_AndARecordWrittenBeforeThemReadsWithNone()
    {
        var scene = new SceneRecord
        {
            Id = SceneId.FromSha256(new string('c', 64)), Aoi = Aoi, Sha256 = new string('c', 64), BlobName = "a/b.tif", Length = 10,
            Width = 5, Height = 5, BandCount = 3, Format = RasterFormat.Tiff, Metadata = new SceneMetadata { AcquiredAt = DateTimeOffset.UnixEpoch },
            PairRaster = new PairRasterValues(0.25f, 1.5f, 0.125f),
        };
        var json = PipelineJson.Serialize(scene);

        var back = System.Text.Json.JsonSerializer.Deserialize<SceneRecord>(json, PipelineJson.Options)!;
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node.Remove("pairRaster");
        var older = System.Text.Json.JsonSerializer.Deserialize<SceneRecord>(node.ToJsonString(), PipelineJson.Options)!;

        Assert.Equal(scene.PairRaster, back.PairRaster);
        Assert.Contains("\"pairRaster\":{\"magnitudeMedian\":0.25", json, StringComparison.Ordinal);
        Assert.Null(older.PairRaster);
        Assert.Equal(scene.Id, older.Id);
    }

    [Fact]
    public void Choose_AtMostTheLimit_TakesEveryTile()
    {
        TileId[] tiles = [.. Enumerable.Range(0, 8).SelectMany(r => Enumerable.Range(-3, 8).Select(c => new TileId(r, c)))];

        Assert.Equal(tiles, PairRasterTiles.Choose(tiles));
    }

    [Theory]
    [InlineData(100, 100)]
    [InlineData(9, 9)]
    [InlineData(1, 1000)]
    [InlineData(3, 500)]
    [InlineData(17, 40)]
    public void Choose_MoreThanTheLimit_TakesAtMostItOnALatticeOverTheWholeGrid(int rows, int cols)
    {
        TileId[] tiles = [.. Enumerable.Range(5, rows).SelectMany(r => Enumerable.Range(-2, cols).Select(c => new TileId(r, c)))];

        var chosen = PairRasterTiles.Choose(tiles);

        Assert.InRange(chosen.Count, 1, PairRasterTiles.Limit);
        Assert.Equal(chosen.Count, chosen.Distinct().Count());
        Assert.All(chosen, t => Assert.Contains(t, tiles));
        Assert.Equal(chosen, PairRasterTiles.Choose([.. tiles.Reverse()]).OrderBy(t => t.Row).ThenBy(t => t.Col));
        // Spread: the chosen tiles reach into the last quarter of the columns (and rows, where there are several).
        Assert.True(chosen.Max(t => t.Col) >= -2 + cols * 3 / 4 - 1, $"columns up to {chosen.Max(t => t.Col)}");
        Assert.True(chosen.Max(t => t.Row) >= 5 + rows * 3 / 4 - 1 || rows < 4, $"rows up to {chosen.Max(t => t.Row)}");
        Assert.True(chosen.Count >= Math.Min(PairRasterTiles.Limit / 4, tiles.Length), $"{chosen.Count} tiles");
    }
}
