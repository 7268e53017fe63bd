using System.Collections.Concurrent;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Messages;
using ChangeWatch.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// Finds uploads that fell through the cracks (a host down when they arrived, a lost message) and enqueues them again:
/// every blob in <c>incoming</c> that is not a sidecar, is at least <see cref="PipelineOptions.ReconcileMinAgeSeconds"/>
/// old (by its last-modified time; younger ones are the blob trigger's, whose message may still be in flight) and has
/// neither a scene record nor a rejection. Safe to run any time and on several hosts: ingest is idempotent and enqueues a
/// scene's tile batches once even when two deliveries of an upload overlap. One instance enqueues each upload (name and
/// last-modified time) at most once, so running it periodically does not feed an upload whose ingest keeps failing to
/// the poison queue again and again; an upload written again is a new one.
/// </summary>
public sealed class IncomingReconciler(
    IBlobStore blobs, IMessageQueue queue, ICatalog catalog, IOptions<PipelineOptions> options, TimeProvider time, ILogger<IncomingReconciler> logger)
{
    private readonly ConcurrentDictionary<(string Name, DateTimeOffset LastModified), bool> _enqueued = new();

    /// <summary>Enqueues the forgotten uploads and returns how many there were (young uploads left alone are not counted).</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        var young = 0;
        var minAgeSeconds = options.Value.ReconcileMinAgeSeconds;
        var newest = time.GetUtcNow() - TimeSpan.FromSeconds(minAgeSeconds);
        await foreach (var blob in blobs.ListAsync(StorageNames.IncomingContainer, string.Empty, cancellationToken).ConfigureAwait(false))
        {
            if ((blob.Name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !BandManifest.IsManifestName(blob.Name))
                || WorldFile.IsWorldFileName(blob.Name) || BandManifest.IsBandFile(blob.Name))
            {
                continue;
            }

            if (blob.LastModified > newest)
            {
                young++;
                continue;
            }

            if (await catalog.GetUploadAsync(blob.Name, cancellationToken).ConfigureAwait(false) is not null
                || await catalog.GetRejectionAsync(RejectionKey.For(RejectionKey.UploadSource(blob.Name)), cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            if (!_enqueued.TryAdd((blob.Name, blob.LastModified), true))
            {
                continue; // enqueued by an earlier run of this instance
            }

            try
            {
                await queue.SendAsync(StorageNames.SceneIngestQueue,
                    new SceneIngestMessage(SceneIngestMessage.CurrentVersion, blob.Name, blob.Length), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (_enqueued.TryRemove((blob.Name, blob.LastModified), out _))
            {
                throw; // not sent: the next run tries it again
            }

            count++;
        }

        logger.Reconciled(count, young, minAgeSeconds);
        return count;
    }
}
