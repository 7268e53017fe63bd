using ChangeWatch.Core.Pipeline;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.LocalHost.Triggers;

/// <summary>
/// Local twin of the Functions app's <c>BuildReport</c>: a queue trigger on <c>change-flags</c> that hands each message to
/// <see cref="BuildReportHandler"/>. A message that keeps failing goes to <c>change-flags-poison</c> after the
/// <c>maxDequeueCount</c> attempts of the Functions app's host.json.
/// </summary>
public sealed class BuildReport(BuildReportHandler handler, ILogger<BuildReport> logger)
{
    /// <summary>Runs once per delivery of a message (JSON text); redelivery is safe (the handler is idempotent).</summary>
    [FunctionName(nameof(BuildReport))]
    public Task RunAsync(
        [QueueTrigger(StorageNames.ChangeFlagsQueue, Connection = StorageNames.Connection)] string message,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        logger.MessageTriggered(nameof(BuildReport), message.Length);
        return handler.HandleAsync(message, cancellationToken);
    }
}
