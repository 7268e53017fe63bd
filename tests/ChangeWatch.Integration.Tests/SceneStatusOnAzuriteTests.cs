using System.Security.Cryptography;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Pipeline;

namespace ChangeWatch.Integration.Tests;

/// <summary>
/// <see cref="Runtime.Storage.TableCatalog.SaveSceneAsync"/> on real Table storage (Azurite): a scene's status never moves
/// backwards, decided under the row's ETag, not a lock.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class SceneStatusOnAzuriteTests(PipelineFixture fixture)
{
    [Fact]
    public async Task SaveScene_LowerStatusAfterAHigherOne_ChangesNothing_SameOrHigherReplaces()
    {
        var ct = TestContext.Current.CancellationToken;
        var catalog = fixture.Storage.Catalog;
        var scene = NewScene();

        Assert.True(await catalog.SaveSceneAsync(scene with { Status = SceneStatus.Ingested }, ct)); // inserts when absent
        Assert.True(await catalog.SaveSceneAsync(scene with { Status = SceneStatus.Ingested, TileCount = 7 }, ct));
        Assert.True(await catalog.SaveSceneAsync(scene with { Status = SceneStatus.Reported, TileCount = 8 }, ct));
        Assert.False(await catalog.SaveSceneAsync(scene with { Status = SceneStatus.Ingested, TileCount = 9 }, ct));
        Assert.False(await catalog.SaveSceneAsync(scene with { Status = SceneStatus.Ingesting, TileCount = 10 }, ct));

        var stored = await catalog.GetSceneAsync(scene.Id, ct);
        Assert.Equal((SceneStatus.Reported, 8), (stored!.Status, stored.TileCount));
        Assert.Equal(SceneStatus.Reported, (await catalog.ListScenesAsync(scene.Aoi, ct)).Single(s => s.Id == scene.Id).Status);
    }

    [Fact]
    public async Task SaveScene_SixWritersOfEveryStatusAtOnce_EndsAtTheFurthestStatus()
    {
        var ct = TestContext.Current.CancellationToken;
        var catalog = fixture.Storage.Catalog;
        var scene = await catalog.ClaimSceneAsync(NewScene(), ct);
        SceneStatus[] statuses = [SceneStatus.Ingested, SceneStatus.Reported, SceneStatus.Ingesting, SceneStatus.Ingested, SceneStatus.Ingesting, SceneStatus.Ingested];

        await Task.WhenAll(statuses.Select(s => catalog.SaveSceneAsync(scene with { Status = s }, ct)));

        Assert.Equal(SceneStatus.Reported, (await catalog.GetSceneAsync(scene.Id, ct))!.Status);
    }

    [Fact]
    public async Task GetStep_BeforeAndAfterTheStepIsClaimedAndDone_ReadsWithoutClaiming()
    {
        var ct = TestContext.Current.CancellationToken;
        var catalog = fixture.Storage.Catalog;
        var id = NewScene().Id;
        var now = new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);

        Assert.Null(await catalog.GetStepAsync(id, SceneSteps.TileBatches, ct));
        Assert.Null(await catalog.GetStepAsync(id, SceneSteps.TileBatches, ct)); // reading did not insert a claim
        await catalog.ClaimStepAsync(id, SceneSteps.TileBatches, "a", now, TimeSpan.FromMinutes(1), ct);
        Assert.Equal(new StepClaimView("a", false), View(await catalog.GetStepAsync(id, SceneSteps.TileBatches, ct)));
        await catalog.CompleteStepAsync(id, SceneSteps.TileBatches, "a", ct);
        Assert.Equal(new StepClaimView("a", true), View(await catalog.GetStepAsync(id, SceneSteps.TileBatches, ct)));
    }

    private sealed record StepClaimView(string Claimant, bool Done);

    private static StepClaimView? View(Core.Ports.StepClaim? claim) => claim is null ? null : new(claim.Claimant, claim.Done);

    private static SceneRecord NewScene()
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(Guid.NewGuid().ToByteArray()));
        return new SceneRecord
        {
            Id = SceneId.FromSha256(sha),
            Aoi = "status-" + sha[..8],
            Sha256 = sha,
            BlobName = $"status-{sha[..8]}/scene.tif",
            Length = 1,
            Width = 150,
            Height = 130,
            BandCount = 3,
            Format = RasterFormat.Tiff,
            Metadata = new SceneMetadata { AcquiredAt = new DateTimeOffset(2026, 4, 1, 9, 0, 0, TimeSpan.Zero) },
            Status = SceneStatus.Ingesting,
        };
    }
}
