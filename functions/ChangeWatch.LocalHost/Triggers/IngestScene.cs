using ChangeWatch.Core.Pipeline;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.LocalHost.Triggers;

/// <summary>
/// Local twin of the Functions app's <c>IngestScene</c>: a queue trigger on <c>scene-ingest</c> that hands each message to
/// <see cref="IngestSceneHandler"/>. A message that keeps failing goes to <c>scene-ingest-poison</c> after the
/// <c>maxDequeueCount</c> attempts of the Functions app's host.json.
/// </summary>
public sealed class IngestScene(IngestSceneHandler handler, ILogger<IngestScene> logger)
{
    /// <summary>Runs once per delivery of a message (JSON text); redelivery is safe (the handler is idempotent).</summary>
    [FunctionName(nameof(IngestScene))]
    public Task RunAsync(
        [QueueTrigger(StorageNames.SceneIngestQueue, Connection = StorageNames.Connection)] string message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        logger.MessageTriggered(nameof(IngestScene), message.Length);
        return handler.HandleAsync(message, cancellationToken);
    }
}
