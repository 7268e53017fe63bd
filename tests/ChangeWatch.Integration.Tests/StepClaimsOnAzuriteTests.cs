using System.Security.Cryptography;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Pipeline;

namespace ChangeWatch.Integration.Tests;

/// <summary>The leased once-only claims of <see cref="Runtime.Storage.TableCatalog"/> on real Table storage (Azurite): ETag conditions, not a lock.</summary>
[Collection(PipelineCollection.Name)]
public sealed class StepClaimsOnAzuriteTests(PipelineFixture fixture)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ClaimStep_SecondClaimant_GetsTheClaimOnlyAfterTheHoldersLeaseLapsesOrIsReleased_AndNobodyAfterItIsDone()
    {
        var ct = TestContext.Current.CancellationToken;
        var catalog = fixture.Storage.Catalog;
        var scene = NewScene();

        Assert.True((await catalog.ClaimStepAsync(scene, SceneSteps.Report, "a", Now, Lease, ct)).IsHeldBy("a"));
        Assert.Equal("a", (await catalog.ClaimStepAsync(scene, SceneSteps.Report, "b", Now + Lease - TimeSpan.FromSeconds(1), Lease, ct)).Claimant);
        Assert.False(await catalog.CompleteStepAsync(scene, SceneSteps.Report, "b", ct));
        Assert.True((await catalog.ClaimStepAsync(scene, SceneSteps.Report, "b", Now + Lease, Lease, ct)).IsHeldBy("b")); // a's lease lapsed
        Assert.False(await catalog.CompleteStepAsync(scene, SceneSteps.Report, "a", ct));
        await catalog.ReleaseStepAsync(scene, SceneSteps.Report, "a", ct); // not a's any more: changes nothing
        Assert.Equal("b", (await catalog.ClaimStepAsync(scene, SceneSteps.Report, "c", Now + Lease, Lease, ct)).Claimant);
        await catalog.ReleaseStepAsync(scene, SceneSteps.Report, "b", ct);
        Assert.True((await catalog.ClaimStepAsync(scene, SceneSteps.Report, "c", Now + Lease, Lease, ct)).IsHeldBy("c"));
        Assert.True(await catalog.CompleteStepAsync(scene, SceneSteps.Report, "c", ct));

        var done = await catalog.ClaimStepAsync(scene, SceneSteps.Report, "d", Now + 10 * Lease, Lease, ct);
        Assert.Equal(("c", true), (done.Claimant, done.Done));
        Assert.False((await catalog.ClaimStepAsync(scene, SceneSteps.TileBatches, "d", Now, Lease, ct)).Done); // steps are separate
    }

    [Fact]
    public async Task ClaimStep_EightClaimantsAtOnce_ExactlyOneHoldsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var catalog = fixture.Storage.Catalog;
        var scene = NewScene();
        await catalog.ClaimStepAsync(scene, SceneSteps.Report, "lapsed", Now - 2 * Lease, Lease, ct); // a takeover race, not only an insert race

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            catalog.ClaimStepAsync(scene, SceneSteps.Report, $"attempt-{i}", Now, Lease, ct)));

        var holders = Enumerable.Range(0, 8).Where(i => claims[i].IsHeldBy($"attempt-{i}")).ToList();
        var holder = Assert.Single(holders);
        Assert.All(claims, c => Assert.Equal($"attempt-{holder}", c.Claimant));
    }

    private static SceneId NewScene() => SceneId.FromSha256(Convert.ToHexStringLower(SHA256.HashData(Guid.NewGuid().ToByteArray())));
}
