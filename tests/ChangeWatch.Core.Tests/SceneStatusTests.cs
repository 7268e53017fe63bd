using System.Text.Json;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Messages;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Tests.Fakes;

namespace ChangeWatch.Core.Tests;

/// <summary>
/// A scene's recorded status only moves forward (Ingesting, Ingested, Reported), whatever order the stages' writes land in:
/// on busy hosts a scene can be scored and reported while its ingest is still finishing.
/// </summary>
public sealed class SceneStatusTests
{
    private const string Aoi = "kharkiv-north";

    [Fact]
    public async Task Ingest_SceneReportedBeforeTheIngestFinishes_StaysReportedAndTheNextScenesReportIsBuilt()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        Assert.True(h.Queue.TryReceive(StorageNames.SceneIngestQueue, out var ingest));
        var reportedMidIngest = false;
        h.Queue.AfterSendAsync = async (queue, json) =>
        {
            var batch = JsonSerializer.Deserialize<TileBatchMessage>(json, PipelineJson.Options)!;
            if (queue != StorageNames.TileBatchesQueue || batch.BatchIndex != batch.BatchCount - 1)
            {
                return;
            }

            // The last batch is out: another host scores the scene and builds its report before this ingest goes on.
            h.Queue.AfterSendAsync = null;
            await h.DrainAsync();
            var scene = await h.Catalog.GetSceneAsync(SceneId.Parse(batch.SceneId), CancellationToken.None);
            reportedMidIngest = scene!.Status == SceneStatus.Reported;
        };

        await h.Ingest.HandleAsync(ingest, CancellationToken.None);
        await h.UploadAsync(Aoi, "later.tif", SyntheticTiffDecoder.Create(150, 130, change: (20, 80, 20)));
        await h.DrainAsync();

        Assert.True(reportedMidIngest);
        var scenes = await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None);
        Assert.Equal(3, scenes.Count);
        Assert.All(scenes, s => Assert.Equal(SceneStatus.Reported, s.Status));
        Assert.Equal(3, h.ReportsReady.Count);
    }

    [Fact]
    public async Task Ingest_DeliveryFailedAfterRecordingTheFirstSceneIngestedBeforeSending_RedeliverySendsItsRegistrationOnceTheLeaseLapses()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        Assert.True(h.Queue.TryReceive(StorageNames.SceneIngestQueue, out var ingest));
        h.Queue.BeforeSendAsync = (_, _) => throw new IOException("host lost before sending");
        await Assert.ThrowsAsync<IOException>(() => h.Ingest.HandleAsync(ingest, CancellationToken.None));
        h.Queue.BeforeSendAsync = null;
        var scene = Assert.Single(await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None));
        Assert.Equal(SceneStatus.Ingested, scene.Status);

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Ingest.HandleAsync(ingest, CancellationToken.None)); // lease runs
        h.Time.Advance(TimeSpan.FromSeconds(h.Options.Value.ClaimLeaseSeconds + 1));
        await h.Ingest.HandleAsync(ingest, CancellationToken.None);
        await h.Ingest.HandleAsync(ingest, CancellationToken.None); // step done: nothing more

        Assert.Single(h.Queue.Peek(StorageNames.ChangeFlagsQueue));
        await h.DrainAsync();
        Assert.Single(h.ReportsReady);
        Assert.True(h.Catalog.GetStepClaim(scene.Id, SceneSteps.TileBatches)!.Done);
    }

    [Fact]
    public async Task Ingest_SceneIngestedBeforeBatchesWereClaimed_RedeliveryEnqueuesNothing()
    {
        var before = new PipelineHarness();
        await before.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await before.DrainAsync();
        await before.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        Assert.True(before.Queue.TryReceive(StorageNames.SceneIngestQueue, out var ingest));
        await before.Ingest.HandleAsync(ingest, CancellationToken.None);

        // The same catalog rows without any step claim: a scene ingested when Ingested was saved only after sending.
        var h = new PipelineHarness();
        foreach (var scene in await before.Catalog.ListScenesAsync(Aoi, CancellationToken.None))
        {
            await h.Catalog.SaveSceneAsync(scene, CancellationToken.None);
            await h.Catalog.RecordUploadAsync(scene.BlobName, scene.Id, CancellationToken.None);
        }

        await h.Ingest.HandleAsync(ingest, CancellationToken.None);

        Assert.Empty(h.Queue.Peek(StorageNames.TileBatchesQueue));
    }

    [Fact]
    public async Task SaveScene_LowerStatusThanStored_ChangesNothing()
    {
        var catalog = new InMemoryCatalog();
        await catalog.SaveSceneAsync(Scene(SceneStatus.Reported), CancellationToken.None);

        Assert.False(await catalog.SaveSceneAsync(Scene(SceneStatus.Ingested) with { TileCount = 99 }, CancellationToken.None));

        var stored = await catalog.GetSceneAsync(Scene(SceneStatus.Reported).Id, CancellationToken.None);
        Assert.Equal((SceneStatus.Reported, 12), (stored!.Status, stored.TileCount));
    }

    [Theory]
    [InlineData(SceneStatus.Ingesting, SceneStatus.Ingested)]
    [InlineData(SceneStatus.Ingested, SceneStatus.Reported)]
    [InlineData(SceneStatus.Ingested, SceneStatus.Ingested)]
    public async Task SaveScene_SameOrLaterStatus_ReplacesTheRecord(SceneStatus stored, SceneStatus written)
    {
        var catalog = new InMemoryCatalog();
        await catalog.ClaimSceneAsync(Scene(stored), CancellationToken.None);

        Assert.True(await catalog.SaveSceneAsync(Scene(written) with { TileCount = 99 }, CancellationToken.None));

        var record = await catalog.GetSceneAsync(Scene(stored).Id, CancellationToken.None);
        Assert.Equal((written, 99), (record!.Status, record.TileCount));
    }

    [Fact]
    public async Task SaveScene_WritersOfEveryStatusAtOnce_EndsAtTheFurthestStatus()
    {
        var catalog = new InMemoryCatalog();
        var statuses = Enumerable.Repeat(new[] { SceneStatus.Reported, SceneStatus.Ingested, SceneStatus.Ingesting }, 20).SelectMany(s => s).ToArray();

        await Task.WhenAll(statuses.Select(s => Task.Run(() => catalog.SaveSceneAsync(Scene(s), CancellationToken.None))));

        Assert.Equal(SceneStatus.Reported, (await catalog.GetSceneAsync(Scene(SceneStatus.Reported).Id, CancellationToken.None))!.Status);
    }

    private static SceneRecord Scene(SceneStatus status) => new()
    {
        Id = SceneId.Parse("00000000000000a1"),
        Aoi = Aoi,
        Sha256 = new string('0', 48) + "00000000000000a1",
        BlobName = $"{Aoi}/scene.tif",
        Length = 1,
        Width = 150,
        Height = 130,
        BandCount = 3,
        Format = RasterFormat.Tiff,
        Metadata = new SceneMetadata { AcquiredAt = new DateTimeOffset(2026, 4, 1, 9, 0, 0, TimeSpan.Zero) },
        TileCount = 12,
        Status = status,
    };
}
