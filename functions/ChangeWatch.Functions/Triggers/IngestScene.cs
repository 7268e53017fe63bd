using ChangeWatch.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.Functions.Triggers;

/// <summary>
/// Queue trigger on <c>scene-ingest</c>: hands each message to <see cref="IngestSceneHandler"/>,
/// which takes a claim check of an accepted upload: hashes, catalogs and tiles the scene, then enqueues tile batches on <c>tile-batches</c>.
/// A message that keeps failing goes to <c>scene-ingest-poison</c> after host.json's <c>maxDequeueCount</c> attempts.
/// </summary>
public sealed class IngestScene(IngestSceneHandler handler, ILogger<IngestScene> logger)
{
    /// <summary>Runs once per delivery of a message (JSON text); redelivery is safe (the handler is idempotent).</summary>
    [Function(nameof(IngestScene))]
    public Task RunAsync(
        [QueueTrigger(StorageNames.SceneIngestQueue, Connection = StorageNames.Connection)] string message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        logger.MessageTriggered(nameof(IngestScene), message.Length);
        return handler.HandleAsync(message, cancellationToken);
    }
}
