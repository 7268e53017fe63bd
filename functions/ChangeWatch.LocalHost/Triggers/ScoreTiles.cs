using ChangeWatch.Core.Pipeline;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.LocalHost.Triggers;

/// <summary>
/// Local twin of the Functions app's <c>ScoreTiles</c>: a queue trigger on <c>tile-batches</c> that hands each message to
/// <see cref="ScoreTilesHandler"/>. A message that keeps failing goes to <c>tile-batches-poison</c> after the
/// <c>maxDequeueCount</c> attempts of the Functions app's host.json.
/// </summary>
public sealed class ScoreTiles(ScoreTilesHandler handler, ILogger<ScoreTiles> logger)
{
    /// <summary>Runs once per delivery of a message (JSON text); redelivery is safe (the handler is idempotent).</summary>
    [FunctionName(nameof(ScoreTiles))]
    public Task RunAsync(
        [QueueTrigger(StorageNames.TileBatchesQueue, Connection = StorageNames.Connection)] string message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        logger.MessageTriggered(nameof(ScoreTiles), message.Length);
        return handler.HandleAsync(message, cancellationToken);
    }
}
