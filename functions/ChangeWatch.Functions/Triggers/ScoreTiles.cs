using ChangeWatch.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.Functions.Triggers;

/// <summary>
/// Queue trigger on <c>tile-batches</c>: hands each message to <see cref="ScoreTilesHandler"/>,
/// which takes a tile batch: scores each tile pair against the baseline and sends the batch result to <c>change-flags</c>.
/// A message that keeps failing goes to <c>tile-batches-poison</c> after host.json's <c>maxDequeueCount</c> attempts.
/// </summary>
public sealed class ScoreTiles(ScoreTilesHandler handler, ILogger<ScoreTiles> logger)
{
    /// <summary>Runs once per delivery of a message (JSON text); redelivery is safe (the handler is idempotent).</summary>
    [Function(nameof(ScoreTiles))]
    public Task RunAsync(
        [QueueTrigger(StorageNames.TileBatchesQueue, Connection = StorageNames.Connection)] string message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        logger.MessageTriggered(nameof(ScoreTiles), message.Length);
        return handler.HandleAsync(message, cancellationToken);
    }
}
