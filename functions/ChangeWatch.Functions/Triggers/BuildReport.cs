using ChangeWatch.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.Functions.Triggers;

/// <summary>
/// Queue trigger on <c>change-flags</c>: hands each message to <see cref="BuildReportHandler"/>,
/// which takes a scored batch: once every batch of the scene is in, writes the report exactly once and announces it on <c>reports-ready</c>.
/// A message that keeps failing goes to <c>change-flags-poison</c> after host.json's <c>maxDequeueCount</c> attempts.
/// </summary>
public sealed class BuildReport(BuildReportHandler handler, ILogger<BuildReport> logger)
{
    /// <summary>Runs once per delivery of a message (JSON text); redelivery is safe (the handler is idempotent).</summary>
    [Function(nameof(BuildReport))]
    public Task RunAsync(
        [QueueTrigger(StorageNames.ChangeFlagsQueue, Connection = StorageNames.Connection)] string message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        logger.MessageTriggered(nameof(BuildReport), message.Length);
        return handler.HandleAsync(message, cancellationToken);
    }
}
