using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Core.Tests.Fakes;

namespace ChangeWatch.Core.Tests;

/// <summary>
/// "Redelivered or duplicated messages change nothing" when deliveries overlap: a second delivery runs while the first
/// is about to send, as with the start-up reconcile re-enqueuing an upload whose blob-trigger message is still in flight,
/// or with two hosts competing for copies of one message.
/// </summary>
public sealed class DuplicateDeliveryTests
{
    private const string Aoi = "kharkiv-north";

    [Fact]
    public async Task BuildReport_SecondMessageWithTheSameContentWhileTheFirstIsAnnouncing_AnnouncesOnce()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        var last = await DeliverAllButLastChangeFlagsAsync(h);

        var duplicateOutcome = DeliverWhileSending(h, StorageNames.ReportsReadyQueue, h.Report.HandleAsync, last);
        await h.Report.HandleAsync(last, CancellationToken.None);
        h.Queue.BeforeSendAsync = null;
        await h.Report.HandleAsync(last, CancellationToken.None); // the duplicate's retry, after the first finished

        Assert.Equal(2, h.ReportsReady.Count); // one per scene: the baseline's and the change report
        Assert.IsType<InvalidOperationException>(await duplicateOutcome.Task); // told to come back later, not announced
    }

    [Fact]
    public async Task Ingest_SameUploadDeliveredAgainWhileTheFirstIsEnqueueingBatches_EnqueuesEachBatchOnceAndReportsOnce()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        Assert.True(h.Queue.TryReceive(StorageNames.SceneIngestQueue, out var ingest));

        var duplicateOutcome = DeliverWhileSending(h, StorageNames.TileBatchesQueue, h.Ingest.HandleAsync, ingest);
        await h.Ingest.HandleAsync(ingest, CancellationToken.None);
        h.Queue.BeforeSendAsync = null;
        await h.Ingest.HandleAsync(ingest, CancellationToken.None); // the duplicate's retry, after the first finished

        var scene = (await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None)).Single(s => s.BaselineId is not null);
        Assert.Equal(SceneStatus.Ingested, scene.Status);
        Assert.Equal(scene.BatchCount, h.Queue.Peek(StorageNames.TileBatchesQueue).Count);
        Assert.IsType<InvalidOperationException>(await duplicateOutcome.Task);
        await h.DrainAsync();
        Assert.Equal(2, h.ReportsReady.Count);
    }

    [Fact]
    public async Task Ingest_SameUploadDeliveredAgainAfterItWasIngested_EnqueuesNothing()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        Assert.True(h.Queue.TryReceive(StorageNames.SceneIngestQueue, out var ingest));
        await h.Ingest.HandleAsync(ingest, CancellationToken.None);
        var batches = h.Queue.Peek(StorageNames.TileBatchesQueue).Count;

        await h.Ingest.HandleAsync(ingest, CancellationToken.None);

        Assert.True(batches > 1);
        Assert.Equal(batches, h.Queue.Peek(StorageNames.TileBatchesQueue).Count);
    }

    [Fact]
    public async Task BuildReport_ClaimOfAnAttemptThatDied_IsTakenOverOnceItsLeaseLapsesAndAnnouncedOnce()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        var last = await DeliverAllButLastChangeFlagsAsync(h);
        var after = await AfterSceneAsync(h);
        var lease = TimeSpan.FromSeconds(h.Options.Value.ClaimLeaseSeconds);
        await h.Catalog.ClaimStepAsync(after, SceneSteps.Report, "BuildReport@crashed/1", h.Time.GetUtcNow(), lease, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Report.HandleAsync(last, CancellationToken.None));
        Assert.Single(h.ReportsReady); // the baseline's: nothing announced while the dead attempt's lease runs
        h.Time.Advance(lease + TimeSpan.FromSeconds(1));
        await h.Report.HandleAsync(last, CancellationToken.None);
        await h.Report.HandleAsync(last, CancellationToken.None);

        Assert.Equal(2, h.ReportsReady.Count);
        Assert.True(h.Catalog.GetStepClaim(after, SceneSteps.Report)!.Done);
        Assert.Equal(SceneStatus.Reported, (await h.Catalog.GetSceneAsync(after, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task BuildReport_ClaimHeldByALiveDeliveryThatFinishesWithinTheWait_ReturnsQuietlyWithoutAnnouncingTwice()
    {
        var (h, last, after) = await ReportClaimedByAnotherAsync(claimWaitSeconds: 30);

        var waiting = h.Report.HandleAsync(last, TestContext.Current.CancellationToken); // a second batch's message, arriving together
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        Assert.True(await h.Catalog.CompleteStepAsync(after, SceneSteps.Report, OtherDelivery, CancellationToken.None)); // the holder finishes
        await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Single(h.ReportsReady); // the baseline's: the holder (simulated) announces its own, this delivery nothing
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BuildReport_HostStoppingWhileWaitingForTheHolder_EndsQuietlyOnlyWhenTheReportIsDone(bool holderFinished)
    {
        var (h, last, after) = await ReportClaimedByAnotherAsync(claimWaitSeconds: 30);
        using var stopping = new CancellationTokenSource();

        var waiting = h.Report.HandleAsync(last, stopping.Token);
        await Task.Delay(TimeSpan.FromMilliseconds(700), TestContext.Current.CancellationToken);
        if (holderFinished)
        {
            Assert.True(await h.Catalog.CompleteStepAsync(after, SceneSteps.Report, OtherDelivery, CancellationToken.None));
        }

        await stopping.CancelAsync();

        if (holderFinished)
        {
            await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        }
        else
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        }

        Assert.Single(h.ReportsReady);
    }

    [Fact]
    public async Task BuildReport_ClaimHeldPastTheWait_FailsToBeRetried()
    {
        var (h, last, _) = await ReportClaimedByAnotherAsync(claimWaitSeconds: 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Report.HandleAsync(last, CancellationToken.None));

        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 10);
        Assert.Single(h.ReportsReady);
    }

    [Fact]
    public async Task BuildReport_HolderStalledPastItsLeaseWhileAnotherTookOver_StopsWithoutAnnouncing()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        var last = await DeliverAllButLastChangeFlagsAsync(h);
        var claims = 0;
        h.Catalog.BeforeStepClaimAsync = async (_, step, _) =>
        {
            if (step == SceneSteps.Report && ++claims == 2) // the stalled holder renewing before it sends
            {
                h.Time.Advance(TimeSpan.FromSeconds(h.Options.Value.ClaimLeaseSeconds + 1));
                await h.Report.HandleAsync(last, CancellationToken.None); // a copy of the message takes the lapsed claim over
            }
        };

        await h.Report.HandleAsync(last, CancellationToken.None);

        Assert.Equal(2, h.ReportsReady.Count); // the baseline's and the one the copy announced
        Assert.Equal(4, claims); // holder, copy, copy's renewal, holder's renewal
    }

    [Fact]
    public async Task BuildReport_BaselineNotReportedYet_FailsAndReleasesItsClaimSoTheRetryNeedNotWaitForTheLease()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        Assert.True(h.Queue.TryReceive(StorageNames.SceneIngestQueue, out var ingestBefore));
        await h.Ingest.HandleAsync(ingestBefore, CancellationToken.None);
        Assert.True(h.Queue.TryReceive(StorageNames.ChangeFlagsQueue, out var registerBefore)); // held back: the baseline is not reported
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        var last = await DeliverAllButLastChangeFlagsAsync(h);

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Report.HandleAsync(last, CancellationToken.None));
        await h.Report.HandleAsync(registerBefore, CancellationToken.None);
        await h.Report.HandleAsync(last, CancellationToken.None); // same clock: the failed attempt's lease was released

        Assert.Equal(2, h.ReportsReady.Count);
    }

    [Fact]
    public async Task Ingest_DeliveryThatDiedWhileEnqueueingBatches_IsRedoneByTheRedeliveryOnceItsLeaseLapses()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        Assert.True(h.Queue.TryReceive(StorageNames.SceneIngestQueue, out var ingest));
        h.Queue.BeforeSendAsync = (queue, _) => queue == StorageNames.TileBatchesQueue
            ? throw new IOException("host lost while sending") // the first delivery dies before any batch is queued
            : Task.CompletedTask;
        await Assert.ThrowsAsync<IOException>(() => h.Ingest.HandleAsync(ingest, CancellationToken.None));
        h.Queue.BeforeSendAsync = null;

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Ingest.HandleAsync(ingest, CancellationToken.None));
        Assert.Empty(h.Queue.Peek(StorageNames.TileBatchesQueue));
        h.Time.Advance(TimeSpan.FromSeconds(h.Options.Value.ClaimLeaseSeconds + 1));
        await h.Ingest.HandleAsync(ingest, CancellationToken.None);

        var scene = (await h.Catalog.GetSceneAsync(await AfterSceneAsync(h), CancellationToken.None))!;
        Assert.Equal(SceneStatus.Ingested, scene.Status);
        Assert.Equal(scene.BatchCount, h.Queue.Peek(StorageNames.TileBatchesQueue).Count);
        await h.DrainAsync();
        Assert.Equal(2, h.ReportsReady.Count);
    }

    [Fact]
    public async Task Ingest_RedeliveryWhileALiveDeliveryHoldsTheBatchClaim_WaitsAndEndsQuietlyWhenTheHolderFinishes()
    {
        var (h, ingest, after) = await BatchesClaimedByAnotherAsync(claimWaitSeconds: 30);
        var holder = (await h.Catalog.GetStepAsync(after, SceneSteps.TileBatches, CancellationToken.None))!.Claimant;

        var waiting = h.Ingest.HandleAsync(ingest, TestContext.Current.CancellationToken); // a reconcile's copy, within the lease
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        Assert.True(await h.Catalog.CompleteStepAsync(after, SceneSteps.TileBatches, holder, CancellationToken.None)); // the holder finishes
        await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Empty(h.Queue.Peek(StorageNames.TileBatchesQueue)); // the holder sent them (simulated): this delivery sends none
    }

    [Fact]
    public async Task Ingest_BatchClaimHeldPastTheWait_FailsToBeRetried()
    {
        var (h, ingest, _) = await BatchesClaimedByAnotherAsync(claimWaitSeconds: 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Ingest.HandleAsync(ingest, CancellationToken.None));

        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 10);
        Assert.Empty(h.Queue.Peek(StorageNames.TileBatchesQueue));
    }

    [Fact]
    public async Task Ingest_BatchSizeChangedBeforeARedeliveryResendsTheBatches_CutsThemAsAtIngestSoTheReportSeesEveryTile()
    {
        var h = new PipelineHarness(new PipelineOptions { TileSize = 64, TileOverlap = 8, BatchSize = 3 });
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        Assert.True(h.Queue.TryReceive(StorageNames.SceneIngestQueue, out var ingest));
        var sent = 0;
        h.Queue.BeforeSendAsync = (queue, _) => queue == StorageNames.TileBatchesQueue && ++sent == 2
            ? throw new IOException("host lost after the first batch was sent")
            : Task.CompletedTask;
        await Assert.ThrowsAsync<IOException>(() => h.Ingest.HandleAsync(ingest, CancellationToken.None));
        h.Queue.BeforeSendAsync = null;
        Assert.True(h.Queue.TryReceive(StorageNames.TileBatchesQueue, out var firstBatch)); // batch 0 as cut at ingest: 3 tiles

        // An operator raises the batch size, then the redelivery resends every batch once the claim has lapsed.
        h.Options.Value.BatchSize = 4;
        h.Time.Advance(TimeSpan.FromSeconds(h.Options.Value.ClaimLeaseSeconds + 1));
        await h.Ingest.HandleAsync(ingest, CancellationToken.None);
        var resent = new List<string>();
        while (h.Queue.TryReceive(StorageNames.TileBatchesQueue, out var m))
        {
            resent.Add(m);
        }

        // The worst order: the first batch 0 is scored, then the resent batches 1 and 2, and the report is built from them
        // before the resent batch 0 arrives.
        await h.Score.HandleAsync(firstBatch, CancellationToken.None);
        foreach (var m in resent.Skip(1))
        {
            await h.Score.HandleAsync(m, CancellationToken.None);
        }

        while (h.Queue.TryReceive(StorageNames.ChangeFlagsQueue, out var flags))
        {
            await h.Report.HandleAsync(flags, CancellationToken.None);
        }

        var scene = (await h.Catalog.GetSceneAsync(await AfterSceneAsync(h), CancellationToken.None))!;
        var report = h.Renderer.Rendered.Single(r => r.Model.Kind == ReportKinds.Change).Model;
        Assert.Equal((3, 3, 9), (scene.BatchSize!.Value, scene.BatchCount, scene.TileCount));
        Assert.Equal(3, resent.Count);
        Assert.Equal(scene.TileCount, report.Tiles.Assessable + report.Tiles.NotAssessable);
    }

    [Fact]
    public async Task Reconciler_UploadYoungerThanTheMinimumAge_IsLeftToTheBlobTriggerUntilItIsOld()
    {
        var h = new PipelineHarness();
        h.Blobs.Put(StorageNames.IncomingContainer, $"{Aoi}/in-flight.tif", SyntheticTiffDecoder.Create(64, 64));
        h.Time.Advance(TimeSpan.FromSeconds(h.Options.Value.ReconcileMinAgeSeconds - 1));

        Assert.Equal(0, await h.Reconciler.ReconcileAsync(CancellationToken.None));
        Assert.Empty(h.Queue.Peek(StorageNames.SceneIngestQueue));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await h.Reconciler.ReconcileAsync(CancellationToken.None));
        Assert.Single(h.Queue.Peek(StorageNames.SceneIngestQueue));
    }

    [Fact]
    public async Task Reconciler_RunAgainWhileTheUploadIsStillNotIngested_EnqueuesItOnceUntilItIsWrittenAgain()
    {
        var h = new PipelineHarness();
        h.Blobs.Put(StorageNames.IncomingContainer, $"{Aoi}/missed.tif", SyntheticTiffDecoder.Create(64, 64));
        h.Time.Advance(TimeSpan.FromSeconds(h.Options.Value.ReconcileMinAgeSeconds));

        Assert.Equal(1, await h.Reconciler.ReconcileAsync(CancellationToken.None));
        Assert.Equal(0, await h.Reconciler.ReconcileAsync(CancellationToken.None)); // its ingest may keep failing: not again
        h.Blobs.Put(StorageNames.IncomingContainer, $"{Aoi}/missed.tif", SyntheticTiffDecoder.Create(64, 64, bands: 1));
        h.Time.Advance(TimeSpan.FromSeconds(h.Options.Value.ReconcileMinAgeSeconds));
        Assert.Equal(1, await h.Reconciler.ReconcileAsync(CancellationToken.None)); // written again: a new upload

        Assert.Equal(2, h.Queue.Peek(StorageNames.SceneIngestQueue).Count);
    }

    private const string OtherDelivery = "BuildReport@other/1";

    /// <summary>
    /// A second scene whose last change-flags message is returned undelivered while another (live) delivery holds its
    /// report's claim, with <paramref name="claimWaitSeconds"/> as the wait for a held claim.
    /// </summary>
    private static async Task<(PipelineHarness H, string Last, SceneId After)> ReportClaimedByAnotherAsync(int claimWaitSeconds)
    {
        var h = new PipelineHarness(new PipelineOptions { TileSize = 64, TileOverlap = 8, BatchSize = 4, ClaimWaitSeconds = claimWaitSeconds });
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        var last = await DeliverAllButLastChangeFlagsAsync(h);
        var after = await AfterSceneAsync(h);
        await h.Catalog.ClaimStepAsync(after, SceneSteps.Report, OtherDelivery, h.Time.GetUtcNow(), TimeSpan.FromSeconds(h.Options.Value.ClaimLeaseSeconds), CancellationToken.None);
        return (h, last, after);
    }

    /// <summary>
    /// A second scene ingested by a delivery that holds its tile-batches claim but has sent nothing yet (it stands for one
    /// still sending), and the upload's ingest message to deliver again, with <paramref name="claimWaitSeconds"/> as the wait.
    /// </summary>
    private static async Task<(PipelineHarness H, string Ingest, SceneId After)> BatchesClaimedByAnotherAsync(int claimWaitSeconds)
    {
        var h = new PipelineHarness(new PipelineOptions { TileSize = 64, TileOverlap = 8, BatchSize = 4, ClaimWaitSeconds = claimWaitSeconds });
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        Assert.True(h.Queue.TryReceive(StorageNames.SceneIngestQueue, out var ingest));
        h.Queue.BeforeSendAsync = (queue, _) => queue == StorageNames.TileBatchesQueue
            ? throw new IOException("stands for a delivery still sending its batches")
            : Task.CompletedTask;
        await Assert.ThrowsAsync<IOException>(() => h.Ingest.HandleAsync(ingest, CancellationToken.None));
        h.Queue.BeforeSendAsync = null;
        return (h, ingest, await AfterSceneAsync(h));
    }

    private static async Task<SceneId> AfterSceneAsync(PipelineHarness h) =>
        (await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None)).Single(s => s.BaselineId is not null).Id;

    // Delivers every queued message except the last change-flags message (the one that completes the scene), and returns that one.
    private static async Task<string> DeliverAllButLastChangeFlagsAsync(PipelineHarness h)
    {
        while (h.Queue.TryReceive(StorageNames.SceneIngestQueue, out var ingest))
        {
            await h.Ingest.HandleAsync(ingest, CancellationToken.None);
        }

        while (h.Queue.TryReceive(StorageNames.TileBatchesQueue, out var batch))
        {
            await h.Score.HandleAsync(batch, CancellationToken.None);
        }

        var flags = new List<string>();
        while (h.Queue.TryReceive(StorageNames.ChangeFlagsQueue, out var flag))
        {
            flags.Add(flag);
        }

        foreach (var flag in flags[..^1])
        {
            await h.Report.HandleAsync(flag, CancellationToken.None);
        }

        return flags[^1];
    }

    // The first time a message is about to go on `queue`, delivers `duplicate` to `handle`; returns what that threw (null if nothing).
    private static TaskCompletionSource<Exception?> DeliverWhileSending(
        PipelineHarness h, string queue, Func<string, CancellationToken, Task> handle, string duplicate)
    {
        var outcome = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = false;
        h.Queue.BeforeSendAsync = async (sentTo, _) =>
        {
            if (sentTo != queue || started)
            {
                return;
            }

            started = true;
            try
            {
                await handle(duplicate, CancellationToken.None);
                outcome.TrySetResult(null);
            }
            catch (InvalidOperationException ex)
            {
                outcome.TrySetResult(ex);
            }
        };
        return outcome;
    }
}
