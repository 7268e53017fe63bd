using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Cli;

/// <summary>Follows an upload through the pipeline by reading the catalog, reporting progress as it goes.</summary>
public sealed class PipelineWatcher(ICatalog catalog)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Waits until the upload's scene reaches <paramref name="target"/>. Throws <see cref="UploadRejectedException"/> when
    /// the upload was rejected, <see cref="TimeoutException"/> after <paramref name="timeout"/> (saying where the scene was
    /// last seen: still waiting for the blob trigger, ingesting, scoring how many tiles, building its report).
    /// </summary>
    public async Task<SceneRecord> WaitAsync(UploadReceipt receipt, SceneStatus target, TimeSpan timeout, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var deadline = DateTime.UtcNow + timeout;
        var rejectionKey = RejectionKey.For(RejectionKey.UploadSource(receipt.BlobName));
        while (true)
        {
            if (await catalog.GetRejectionAsync(rejectionKey, cancellationToken).ConfigureAwait(false) is { } rejection)
            {
                throw new UploadRejectedException(rejection);
            }

            var scene = await catalog.GetSceneAsync(receipt.SceneId, cancellationToken).ConfigureAwait(false);
            if (scene is not null && scene.Status >= target)
            {
                return scene;
            }

            progress?.Report(await DescribeAsync(scene, cancellationToken).ConfigureAwait(false));
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"Scene {receipt.SceneId} did not reach '{target}' within {timeout.TotalSeconds:F0} s; last seen: {await DescribeAsync(scene, cancellationToken).ConfigureAwait(false)}.");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> DescribeAsync(SceneRecord? scene, CancellationToken cancellationToken)
    {
        switch (scene)
        {
            case null:
                return "waiting for the blob trigger";
            case { Status: SceneStatus.Ingesting }:
                return "ingesting (hashing, decoding, writing tiles)";
            case { BaselineId: null }:
                return "registering baseline report";
            default:
                var scored = (await catalog.GetTileResultsAsync(scene.Id, cancellationToken).ConfigureAwait(false)).Count;
                return scored < scene.TileCount ? $"scoring tiles {scored}/{scene.TileCount}" : "building report";
        }
    }
}

/// <summary>The pipeline rejected an upload.</summary>
public sealed class UploadRejectedException(Rejection rejection)
    : Exception($"Upload rejected at {rejection.Stage}: {rejection.Code}: {rejection.Message}")
{
    /// <summary>The rejection record.</summary>
    public Rejection Rejection { get; } = rejection;
}
