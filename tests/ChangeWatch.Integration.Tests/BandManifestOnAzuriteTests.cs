using System.Text;
using ChangeWatch.Cli;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Pipeline;

namespace ChangeWatch.Integration.Tests;

/// <summary>A Sentinel-2 band-per-file product (OSCD, four 10 m bands per date) ingested through a band manifest on Azurite.</summary>
[Collection(PipelineCollection.Name)]
public sealed class BandManifestOnAzuriteTests(PipelineFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task OscdBandFilesWithManifests_OnAzurite_AreTwoFourBandScenesOnOneGridWithAReport()
    {
        var city = Path.Combine(RepositoryPaths.SharedData, "oscd", "bercy");
        if (!Directory.Exists(city))
        {
            Assert.Skip($"Real data not found at {city}: this test needs ../shared/data beside the repository.");
        }

        const string aoi = "oscd-bercy";
        var before = await UploadDateAsync(aoi, "date1", Path.Combine(city, "imgs_1"), "2016-11-30T10:50:00Z");
        var after = await UploadDateAsync(aoi, "date2", Path.Combine(city, "imgs_2"), "2017-08-29T10:50:00Z");

        Assert.Equal((360, 395, 4), (before.Width, before.Height, before.BandCount));
        Assert.Equal(4326, before.GeoReference!.Epsg);
        Assert.Equal(2.35931396484, before.GeoReference.Transform.OriginX, 9);
        Assert.Equal(48.8666344599, before.GeoReference.Transform.OriginY, 9);
        Assert.Equal(4, after.BandCount);
        Assert.Equal(before.Id, after.BaselineId);
        Assert.Equal(new ScenePlacement(0, 0, 360, 395), after.Placement);
        Assert.Equal(2, (await fixture.Storage.Catalog.ListScenesAsync(aoi, TestContext.Current.CancellationToken)).Count); // band files are not scenes
    }

    private async Task<SceneRecord> UploadDateAsync(string aoi, string scene, string folder, string acquiredAt)
    {
        var cancel = TestContext.Current.CancellationToken;
        var bands = new[] { "B02", "B03", "B04", "B08" }
            .Select(b => Directory.GetFiles(folder, $"*_{b}.tif").Single())
            .ToList();
        foreach (var band in bands)
        {
            await using var content = File.OpenRead(band);
            await fixture.Storage.Blobs.WriteAsync(StorageNames.IncomingContainer, $"{aoi}/{scene}.bands/{Path.GetFileName(band)}", content, "image/tiff", cancel);
        }

        var manifest = $$"""{"acquiredAt":"{{acquiredAt}}","sensor":"Sentinel-2 MSI L1C","bands":[{{string.Join(",", bands.Select(b => $"\"{Path.GetFileName(b)}\""))}}]}""";
        var manifestName = $"{aoi}/{scene}{BandManifest.ManifestSuffix}";
        using (var content = new MemoryStream(Encoding.UTF8.GetBytes(manifest)))
        {
            await fixture.Storage.Blobs.WriteAsync(StorageNames.IncomingContainer, manifestName, content, "application/json", cancel);
        }

        var deadline = DateTime.UtcNow + Timeout;
        SceneId? sceneId;
        while ((sceneId = await fixture.Storage.Catalog.GetUploadAsync(manifestName, cancel)) is null)
        {
            if (await fixture.Storage.Catalog.GetRejectionAsync(RejectionKey.For(RejectionKey.UploadSource(manifestName)), cancel) is { } rejection)
            {
                Assert.Fail($"The manifest was rejected: {rejection.Code} {rejection.Message}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for the manifest to be ingested. Host log: {fixture.Log.Path}");
            await Task.Delay(250, cancel);
        }

        var receipt = new UploadReceipt(manifestName, manifest.Length, string.Empty, sceneId.Value, null);
        return await new PipelineWatcher(fixture.Storage.Catalog).WaitAsync(receipt, SceneStatus.Reported, Timeout, null, cancel);
    }
}
