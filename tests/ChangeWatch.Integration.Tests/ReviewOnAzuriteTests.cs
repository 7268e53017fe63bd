using System.Text;
using System.Text.Json;
using ChangeWatch.Cli;
using ChangeWatch.Cli.Commands;
using ChangeWatch.Cli.Demo;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Messages;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Reporting.Json;
using ChangeWatch.Reporting.Review;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Integration.Tests;

[Collection(PipelineCollection.Name)]
public sealed class ReviewOnAzuriteTests(PipelineFixture fixture) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("changewatch-review-").FullName;

    [Fact]
    public async Task ReviewOfASite_IsShownInTheReRenderedReport_AndExportedAsALabel()
    {
        var ct = TestContext.Current.CancellationToken;
        const string aoi = "review-round-trip";
        var (before, after) = DemoImagery.Write(DemoScenario.Render(), _temp);
        await UploadAndWaitAsync(before, aoi);
        var receipt = await UploadAndWaitAsync(after, aoi);
        var reviewer = new ReportReviewer(fixture.Storage.Blobs, fixture.Storage.Catalog, fixture.Storage.Queues, TimeProvider.System);
        var scene = (await fixture.Storage.Catalog.GetSceneAsync(receipt.SceneId, ct))!;
        ReportSchema.AssertValid(await ReadReportFileAsync(scene, ReportPaths.Json));
        var original = (await reviewer.ReadAsync(scene, ct))!;
        Assert.Equal(ReportStatus.Candidate, original.Status);
        Assert.True(original.Sites.Count >= 2, $"The demo pair should give at least two sites; it gave {original.Sites.Count}.");
        Assert.All(original.Sites, s => Assert.Matches("^36U [A-Z]{2} [0-9]{5} [0-9]{5}$", s.Mgrs));

        await reviewer.ReviewAsync(receipt.SceneId, "S1", ReviewVerdict.Confirmed, "IT analyst", "vehicles \"parked\" <here>", ct);

        var json = await ReadReportFileAsync(scene, ReportPaths.Json);
        ReportSchema.AssertValid(json);
        var html = Encoding.UTF8.GetString(await ReadReportFileAsync(scene, ReportPaths.Html));
        var geojson = Encoding.UTF8.GetString(await ReadReportFileAsync(scene, ReportPaths.GeoJson));
        var report = ReportJson.Deserialize(json)!;
        var exported = Path.Combine(_temp, "labels.jsonl");
        var count = await ExportReviewsCommand.ExportAsync(fixture.Storage, exported, ct);
        var label = File.ReadAllLines(exported).Select(TrainingExample.Parse).Single(e => e!.Scene == receipt.SceneId.Value && e.Site == "S1")!;
        var custody = await fixture.Storage.Catalog.GetCustodyAsync(receipt.SceneId, ct);

        Assert.Equal(ReportStatus.PartiallyReviewed, report.Status);
        Assert.Equal("confirmed", report.Sites.Single(s => s.Id == "S1").Status);
        Assert.Equal("IT analyst", report.Sites.Single(s => s.Id == "S1").Review!.Analyst);
        Assert.All(report.Sites.Where(s => s.Id != "S1"), s => Assert.Equal(ReportStatus.Candidate, s.Status));
        Assert.Contains("Analyst verdict: confirmed, by IT analyst", html, StringComparison.Ordinal);
        Assert.Contains("vehicles &quot;parked&quot; &lt;here&gt;", html, StringComparison.Ordinal);
        Assert.Contains("\"verdict\": \"confirmed\"", geojson, StringComparison.Ordinal);
        Assert.Contains(custody, c => c.Step == "reviewed" && c.Actor == "analyst:IT analyst" && c.Detail.StartsWith("site S1 confirmed", StringComparison.Ordinal));
        Assert.Contains(report.Custody, c => c.Step == "reviewed");
        Assert.True(count >= 1);
        Assert.Equal(1, label.Label);
        Assert.Equal("confirmed", label.Verdict);
        Assert.Equal(scene.BaselineId!.Value.Value, label.Baseline);
        Assert.Equal(original.Sites[0].Tiles, label.Tiles);
        Assert.Equal(original.Sites[0].SceneBounds, label.SceneBounds);
        Assert.Equal(original.ModelVersion, label.ModelVersion);

        // reports-ready is sent again with the new status, in the same versioned shape.
        var ready = await ReportsReadyAsync(receipt.SceneId);
        Assert.Equal([ReportStatus.Candidate, ReportStatus.PartiallyReviewed], ready.Select(m => m.Status));
        Assert.Equal(ReportReadyMessage.CurrentVersion, ready[1].Version);
        Assert.Equal(ready[0] with { Status = ReportStatus.PartiallyReviewed }, ready[1]);

        // The same review again records nothing new and rewrites the same bytes; the same message goes out again.
        await reviewer.ReviewAsync(receipt.SceneId, "S1", ReviewVerdict.Confirmed, "IT analyst", "vehicles \"parked\" <here>", ct);

        Assert.Equal(json, await ReadReportFileAsync(scene, ReportPaths.Json));
        Assert.Equal(custody.Count, (await fixture.Storage.Catalog.GetCustodyAsync(receipt.SceneId, ct)).Count);
        var again = await ReportsReadyAsync(receipt.SceneId);
        Assert.Equal(3, again.Count);
        Assert.Equal(again[1], again[2]);
    }

    [Fact]
    public async Task ReviewOfAnUnknownSite_SaysWhichSitesExist()
    {
        var ct = TestContext.Current.CancellationToken;
        var reviewer = new ReportReviewer(fixture.Storage.Blobs, fixture.Storage.Catalog, fixture.Storage.Queues, TimeProvider.System);

        var ex = await Assert.ThrowsAsync<ReviewException>(() =>
            reviewer.ReviewAsync(SceneId.Parse("0123456789abcdef"), "S1", ReviewVerdict.Rejected, "someone", null, ct));

        Assert.Contains("not in the catalog", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    // Nothing consumes reports-ready in these tests, so a peek sees every message sent (the tests send far fewer than 32).
    private async Task<List<ReportReadyMessage>> ReportsReadyAsync(SceneId sceneId)
    {
        var queue = fixture.Storage.Clients.Queues.GetQueueClient(StorageNames.ReportsReadyQueue);
        var peeked = await queue.PeekMessagesAsync(maxMessages: 32, TestContext.Current.CancellationToken);
        Assert.True(peeked.Value.Length < 32, "reports-ready holds 32 messages or more: a peek may miss some.");
        return [.. peeked.Value
            .Select(m => JsonSerializer.Deserialize<ReportReadyMessage>(m.Body.ToString(), PipelineJson.Options)!)
            .Where(m => m.SceneId == sceneId.Value)];
    }

    private Task<UploadReceipt> UploadAndWaitAsync(DemoImagery.SceneFiles files, string aoi) =>
        fixture.UploadFilesAndWaitAsync(files.Image, aoi, files.Sidecar);

    private async Task<byte[]> ReadReportFileAsync(SceneRecord scene, string file)
    {
        await using var stream = await fixture.Storage.Blobs.OpenReadAsync(StorageNames.ReportsContainer, $"{scene.Aoi}/{scene.Id}/{file}", TestContext.Current.CancellationToken);
        Assert.NotNull(stream);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, TestContext.Current.CancellationToken);
        return buffer.ToArray();
    }
}
