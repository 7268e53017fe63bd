using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Imaging.GeoTiff;
using ChangeWatch.Reporting.Review;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Integration.Tests;

[Collection(PipelineCollection.Name)]
public sealed class SiteTracksOnAzuriteTests(PipelineFixture fixture) : IDisposable
{
    // The top-left 512 × 512 px of the demo area hold site A, whose park grows in the third scene (a quarter of the
    // demo's pixels, to keep three scenes quick).
    private const int Crop = 512;

    private readonly string _temp = Directory.CreateTempSubdirectory("changewatch-tracks-").FullName;

    [Fact]
    public async Task SiteFlaggedAgainInTheThirdScene_KeepsItsIdFromTheSecondReport_WithTwoHistoryEntries_AndCanBeReviewedByIt()
    {
        var ct = TestContext.Current.CancellationToken;
        const string aoi = "tracks-three-scenes";
        var pair = DemoScenario.Render();
        var later = DemoScenario.RenderLater(pair);
        await fixture.UploadAndWaitAsync(Write("first.tif", pair.Before), aoi, "2026-04-02T08:41:00Z");
        var second = await fixture.UploadAndWaitAsync(Write("second.tif", pair.After), aoi, "2026-04-16T08:39:00Z");
        var third = await fixture.UploadAndWaitAsync(Write("third.tif", later.After), aoi, "2026-04-30T08:37:00Z");

        var secondReport = await fixture.ReadReportAsync(aoi, second.SceneId);
        var thirdReport = await fixture.ReadReportAsync(aoi, third.SceneId);
        var growth = DemoScenario.SiteBounds(later)[DemoScenario.SiteAGrowth];
        var again = thirdReport.Sites.Where(s => !s.SceneBounds.Intersect(growth).IsEmpty && s.History.Count > 1).ToList();
        var site = Assert.Single(again);
        var earlier = Assert.Single(secondReport.Sites, s => s.TrackId == site.TrackId);
        Assert.Equal($"{second.SceneId}-{earlier.Id}", site.TrackId);
        Assert.Equal(new SceneReference(second.SceneId.Value, DateTimeOffset.Parse("2026-04-16T08:39:00Z")), site.FirstSeen);
        Assert.Equal([second.SceneId.Value, third.SceneId.Value], site.History.Select(h => h.SceneId));
        Assert.Equal(["flagged", "flagged"], site.History.Select(h => h.Outcome));
        Assert.Equal([earlier.Id, site.Id], site.History.Select(h => h.SiteId));
        Assert.All(secondReport.Sites, s => Assert.Equal([second.SceneId.Value], s.History.Select(h => h.SceneId)));

        // One track per site ever reported: every site of the second report, and every site the third started.
        var tracks = await fixture.Storage.Catalog.GetSiteTracksAsync(aoi, ct);
        Assert.Equal(
            secondReport.Sites.Select(s => s.TrackId).Concat(thirdReport.Sites.Where(s => s.History.Count == 1).Select(s => s.TrackId)).Order(),
            tracks.Select(t => t.Track.Id).Order());

        var reviewed = await new ReportReviewer(fixture.Storage.Blobs, fixture.Storage.Catalog, fixture.Storage.Queues, TimeProvider.System)
            .ReviewAsync(third.SceneId, site.TrackId!, ReviewVerdict.Confirmed, "IT analyst", null, ct);

        Assert.Equal("confirmed", reviewed.Sites.Single(s => s.Id == site.Id).Status);
        Assert.Equal("confirmed", reviewed.Sites.Single(s => s.Id == site.Id).History[^1].Status);
        var sightings = await fixture.Storage.Catalog.GetSightingsAsync(aoi, site.TrackId!, ct);
        Assert.Equal(["candidate", "confirmed"], sightings.Select(s => s.Status));
        await fixture.ReadReportAsync(aoi, third.SceneId); // the re-rendered report still validates
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Write(string name, TileRaster raster)
    {
        var path = Path.Combine(_temp, name);
        using var file = File.Create(path);
        GeoTiffWriter.Write(file, new GeoTiffWriteOptions { Width = Crop, Height = Crop, BandCount = 3, SampleFormat = SampleFormat.UInt8 },
            (row, band, values) => raster.Row(band, row)[..Crop].CopyTo(values));
        return path;
    }
}
