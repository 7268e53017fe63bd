using System.Text.Json;
using ChangeWatch.Cli;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Messages;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Imaging.Decoding;

namespace ChangeWatch.Integration.Tests;

[Collection(PipelineCollection.Name)]
public sealed class PipelineOnAzuriteTests(PipelineFixture fixture) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private readonly string _temp = Directory.CreateTempSubdirectory("changewatch-it-").FullName;

    [Fact]
    public async Task RealSztakiPair_UploadedOnAzurite_YieldsOneReportWithASiteOnTheTrueChange()
    {
        var folder = Path.Combine(RepositoryPaths.SharedData, "sztaki", "Szada", "1");
        if (!Directory.Exists(folder))
        {
            Assert.Skip($"Real data not found at {folder}: this test needs ../shared/data beside the repository.");
        }

        var (im1, im2, gt) = (FindCaseInsensitive(folder, "im1.bmp"), FindCaseInsensitive(folder, "im2.bmp"), FindCaseInsensitive(folder, "gt.bmp"));
        const string aoi = "szada-1";
        await UploadAndWaitAsync(im1, aoi, Sidecar("1999-06-01T10:00:00Z"));
        var after = await UploadAndWaitAsync(im2, aoi, Sidecar("2005-06-01T10:00:00Z"));

        var report = await ReadReportAsync(after);
        Assert.Equal(ReportKinds.Change, report.Kind);
        var truth = ReadMask(gt);
        Assert.Contains(report.Sites, site => CountInside(truth, site.SceneBounds) > 0);
        Assert.Equal(1, await CountReportsReadyAsync(after.SceneId));
    }

    [Fact]
    public async Task WaitForASceneNeverUploaded_TimesOutSayingItWasStillWaitingForTheBlobTrigger()
    {
        var receipt = new UploadReceipt("incoming/nowhere/never.tif", 1, new string('0', 64), SceneId.Parse("0123456789abcdef"), null);

        var ex = await Assert.ThrowsAsync<TimeoutException>(() =>
            new PipelineWatcher(fixture.Storage.Catalog).WaitAsync(receipt, SceneStatus.Reported, TimeSpan.FromSeconds(1), null, TestContext.Current.CancellationToken));

        Assert.Equal("Scene 0123456789abcdef did not reach 'Reported' within 1 s; last seen: waiting for the blob trigger.", ex.Message);
    }

    [Fact]
    public async Task SameFileUploadedTwice_IsOneSceneWithOneReport()
    {
        const string aoi = "duplicate-upload";
        var file = WriteSyntheticScene("scene.tif", seed: 7);
        var first = await UploadAndWaitAsync(file, aoi, Sidecar("2026-03-01T09:00:00Z"));
        var copy = Path.Combine(_temp, "scene-again.tif");
        File.Copy(file, copy);

        var second = await new Uploader(fixture.Storage.Blobs).UploadAsync(copy, aoi, WriteSidecar(copy, Sidecar("2026-03-01T09:00:00Z")), TestContext.Current.CancellationToken);
        await WaitUntilAsync(async () => await fixture.Storage.Catalog.GetUploadAsync(second.BlobName, TestContext.Current.CancellationToken) is not null);

        Assert.Equal(first.SceneId, second.SceneId);
        Assert.Single(await fixture.Storage.Catalog.ListScenesAsync(aoi, TestContext.Current.CancellationToken));
        Assert.Equal(1, await CountReportsReadyAsync(first.SceneId));
    }

    [Fact]
    public async Task CorruptUpload_IsQuarantinedAndRecorded_AndTheNextGoodUploadStillGetsItsReport()
    {
        const string aoi = "corrupt-then-good";
        var corrupt = Path.Combine(_temp, "corrupt.tif");
        var good = WriteSyntheticScene("good.tif", seed: 11);
        await File.WriteAllBytesAsync(corrupt, [.. File.ReadAllBytes(good).Take(300)], TestContext.Current.CancellationToken);

        var rejected = await new Uploader(fixture.Storage.Blobs).UploadAsync(corrupt, aoi, null, TestContext.Current.CancellationToken);
        var ex = await Assert.ThrowsAsync<UploadRejectedException>(() =>
            new PipelineWatcher(fixture.Storage.Catalog).WaitAsync(rejected, SceneStatus.Reported, Timeout, null, TestContext.Current.CancellationToken));
        var goodReceipt = await UploadAndWaitAsync(good, aoi, Sidecar("2026-03-02T09:00:00Z"));

        Assert.Equal(RejectionCode.CorruptImage, ex.Rejection.Code);
        Assert.Equal($"incoming/{aoi}/corrupt.tif", ex.Rejection.QuarantineBlob);
        Assert.NotNull(await fixture.Storage.Blobs.GetInfoAsync(StorageNames.QuarantineContainer, ex.Rejection.QuarantineBlob!, TestContext.Current.CancellationToken));
        Assert.Equal(ReportKinds.BaselineRegistered, (await ReadReportAsync(goodReceipt)).Kind);
    }

    [Fact]
    public async Task PngWithoutSidecar_IsRejectedAsMissingSidecar()
    {
        var png = Path.Combine(_temp, "no-sidecar.png");
        await using (var file = File.Create(png))
        {
            await file.WriteAsync(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13 }, TestContext.Current.CancellationToken);
        }

        var receipt = await new Uploader(fixture.Storage.Blobs).UploadAsync(png, "missing-sidecar", null, TestContext.Current.CancellationToken);
        var ex = await Assert.ThrowsAsync<UploadRejectedException>(() =>
            new PipelineWatcher(fixture.Storage.Catalog).WaitAsync(receipt, SceneStatus.Reported, Timeout, null, TestContext.Current.CancellationToken));

        Assert.Equal(RejectionCode.MissingSidecar, ex.Rejection.Code);
    }

    [Fact]
    public async Task MessageThatKeepsFailing_LandsInItsPoisonQueue_AndTheHostKeepsRunning()
    {
        // A well-formed report message for a scene nobody ingested: BuildReport fails (transiently, it must assume), five times.
        var orphan = new ChangeFlagsMessage(ChangeFlagsMessage.CurrentVersion, "00000000deadbeef", "poison-test", 0, 1, [], 0);
        await fixture.Storage.Queues.SendAsync(StorageNames.ChangeFlagsQueue, orphan, TestContext.Current.CancellationToken);

        var poison = fixture.Storage.Clients.Queues.GetQueueClient(StorageNames.PoisonQueue(StorageNames.ChangeFlagsQueue));
        await WaitUntilAsync(async () =>
            await poison.ExistsAsync(TestContext.Current.CancellationToken)
            && (await poison.PeekMessagesAsync(32, TestContext.Current.CancellationToken)).Value.Any(m => m.Body.ToString().Contains("00000000deadbeef", StringComparison.Ordinal)));

        var file = WriteSyntheticScene("after-poison.tif", seed: 3);
        Assert.Equal(ReportKinds.BaselineRegistered, (await ReadReportAsync(await UploadAndWaitAsync(file, "after-poison", Sidecar("2026-03-03T09:00:00Z")))).Kind);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private Task<UploadReceipt> UploadAndWaitAsync(string file, string aoi, string sidecarJson) =>
        fixture.UploadFilesAndWaitAsync(file, aoi, WriteSidecar(file, sidecarJson));

    private string WriteSidecar(string image, string json)
    {
        var path = Path.Combine(_temp, Path.GetFileName(image) + ".sidecar.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static string Sidecar(string acquiredAt) =>
        $$"""{"acquiredAt":"{{acquiredAt}}","provider":"integration test","sensor":"aerial RGB","groundSampleDistance":1.5}""";

    /// <summary>A 300 × 260 crop of the demo scene, at an offset chosen by <paramref name="seed"/>, so different seeds give different files.</summary>
    private string WriteSyntheticScene(string name, int seed)
    {
        var raster = Synthetic.DemoScenario.Render().After;
        var (x0, y0) = (seed * 37 % 700, seed * 53 % 700);
        var path = Path.Combine(_temp, name);
        using var file = File.Create(path);
        Imaging.GeoTiff.GeoTiffWriter.Write(file, new Imaging.GeoTiff.GeoTiffWriteOptions
        {
            Width = 300, Height = 260, BandCount = 3, SampleFormat = SampleFormat.UInt8,
        }, (row, band, values) => raster.Row(band, row + y0).Slice(x0, 300).CopyTo(values));
        return path;
    }

    private async Task<ReportModel> ReadReportAsync(UploadReceipt receipt)
    {
        var scene = await fixture.Storage.Catalog.GetSceneAsync(receipt.SceneId, TestContext.Current.CancellationToken);
        return await fixture.ReadReportAsync(scene!.Aoi, scene.Id);
    }

    private async Task<int> CountReportsReadyAsync(SceneId sceneId)
    {
        var queue = fixture.Storage.Clients.Queues.GetQueueClient(StorageNames.ReportsReadyQueue);
        var peeked = await queue.PeekMessagesAsync(maxMessages: 32);
        return peeked.Value
            .Select(m => JsonSerializer.Deserialize<ReportReadyMessage>(m.Body.ToString(), PipelineJson.Options)!)
            .Count(m => m.SceneId == sceneId.Value);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the pipeline.");
            await Task.Delay(250);
        }

        await Task.Delay(3000); // let any (wrong) second ingest or report finish before asserting there is none
    }

    private static (byte[] Mask, int Width) ReadMask(string path)
    {
        using var stream = File.OpenRead(path);
        using var source = new RasterDecoder().Open(stream, RasterFormat.Bmp, new DecodeLimits());
        var (w, h) = (source.Info.Width, source.Info.Height);
        var values = new float[w * h * source.Info.BandCount];
        source.ReadWindow(new PixelWindow(0, 0, w, h), values);
        return ([.. values.Take(w * h).Select(v => v > 127 ? (byte)1 : (byte)0)], w);
    }

    private static int CountInside((byte[] Mask, int Width) truth, PixelWindow box)
    {
        var count = 0;
        var height = truth.Mask.Length / truth.Width;
        for (var y = Math.Max(0, box.Y); y < Math.Min(height, box.Y + box.Height); y++)
        {
            for (var x = Math.Max(0, box.X); x < Math.Min(truth.Width, box.X + box.Width); x++)
            {
                count += truth.Mask[y * truth.Width + x];
            }
        }

        return count;
    }

    private static string FindCaseInsensitive(string folder, string name) =>
        Directory.EnumerateFiles(folder).First(f => string.Equals(Path.GetFileName(f), name, StringComparison.OrdinalIgnoreCase));
}
