using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Integration.Tests;

/// <summary>
/// A scene whose size is not a whole number of tiles, on real Azurite with the default model: the right and bottom
/// tiles' windows reach past the scene, and each is judged on its part inside, so change there is seen.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class EdgeTilesOnAzuriteTests(PipelineFixture fixture) : IDisposable
{
    // The demo area's bottom-right 800 × 800 px, cut on the demo's own tile lattice (224 px from its corner): 4 × 4 tiles,
    // the last column and row of windows 144 px inside the scene (56 % of their 256 px), the corner window 144 × 144
    // (32 %). Site B's earthworks and vehicles reach into the corner tile's core.
    private static readonly PixelWindow Crop = new(224, 224, 800, 800);

    private readonly string _temp = Directory.CreateTempSubdirectory("changewatch-edges-").FullName;

    [Fact]
    public async Task SceneNotAWholeNumberOfTiles_EveryTileIsAssessed_AndChangeInTheCornerTileIsFlagged()
    {
        var ct = TestContext.Current.CancellationToken;
        const string aoi = "edge-tiles";
        var pair = DemoScenario.Render();
        await fixture.UploadAndWaitAsync(Write("before.tif", pair.Before), aoi, "2026-04-01T08:40:00Z", "synthetic RGB + NIR");
        var scene = await fixture.UploadAndWaitAsync(Write("after.tif", pair.After), aoi, "2026-04-16T08:39:00Z", "synthetic RGB + NIR");

        var results = await fixture.Storage.Catalog.GetTileResultsAsync(scene.SceneId, ct);
        Assert.Equal(16, results.Count);
        Assert.All(results, r => Assert.True(r.Assessable, $"{r.Tile}: masked {r.MaskedFraction:F3}, covered {r.CoveredFraction:F3}"));
        var corner = results.Single(r => r.Tile == new TileId(3, 3));
        Assert.Equal(144.0 * 144 / (256 * 256), corner.CoveredFraction!.Value, 9);
        Assert.True(corner.MaskedFraction < 0.05, $"masked {corner.MaskedFraction:F3} of the corner tile's part inside");
        Assert.True(corner.Flagged, $"corner tile probability {corner.Probability:F3}");
        Assert.Equal(1.0, results.Single(r => r.Tile == new TileId(1, 1)).CoveredFraction!.Value, 9);

        var report = await fixture.ReadReportAsync(aoi, scene.SceneId);
        Assert.Equal(0, report.Tiles.NotAssessable);
        var siteB = DemoScenario.SiteBArea with { X = DemoScenario.SiteBArea.X - Crop.X, Y = DemoScenario.SiteBArea.Y - Crop.Y };
        Assert.Contains(report.Sites, s => !s.SceneBounds.Intersect(siteB).IsEmpty && s.Tiles.Contains("3_3"));
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Write(string name, TileRaster raster) => TestImages.WriteFloat32(raster.Crop(Crop), Path.Combine(_temp, name));
}
