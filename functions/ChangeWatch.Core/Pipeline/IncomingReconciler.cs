using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Messages;
using ChangeWatch.Core.Ports;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// Finds uploads that fell through the cracks (a host down when they arrived, a lost message) and enqueues them again:
/// every blob in <c>incoming</c> that is not a sidecar and has neither a scene record nor a rejection. Safe to run any
/// time and on several hosts: ingest is idempotent.
/// </summary>
public sealed class IncomingReconciler(IBlobStore blobs, IMessageQueue queue, ICatalog catalog, ILogger<IncomingReconciler> logger)
{
    /// <summary>Enqueues the forgotten uploads and returns how many there were.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var blob in blobs.ListAsync(StorageNames.IncomingContainer, string.Empty, cancellationToken).ConfigureAwait(false))
        {
            if ((blob.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !BandManifest.IsManifestName(blob.Name))
                || WorldFile.IsWorldFileName(blob.Name) || BandManifest.IsBandFile(blob.Name)
                || await catalog.GetUploadAsync(blob.Name, cancellationToken).ConfigureAwait(false) is not null
                || await catalog.GetRejectionAsync(RejectionKey.For(RejectionKey.UploadSource(blob.Name)), cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            await queue.SendAsync(StorageNames.SceneIngestQueue,
                new SceneIngestMessage(SceneIngestMessage.CurrentVersion, blob.Name, blob.Length), cancellationToken).ConfigureAwait(false);
            count++;
        }

        logger.Reconciled(count);
        return count;
    }
}
