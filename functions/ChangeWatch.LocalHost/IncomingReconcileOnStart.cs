using ChangeWatch.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.LocalHost;

/// <summary>
/// Runs <see cref="IncomingReconciler"/> once, <see cref="Delay"/> after the host (and so the triggers) has started. A
/// failure is logged and does not stop the host: the triggers keep running and the next start reconciles again.
/// </summary>
/// <remarks>
/// The delay lets the blob trigger's own first scan (which picks up uploads that have no receipt yet) record its
/// uploads first, and the reconciler leaves alone every upload younger than <c>ChangeWatch:ReconcileMinAgeSeconds</c>
/// (its blob-trigger message may still be in flight), so it re-enqueues only what the trigger cannot see: old uploads
/// whose receipt exists but whose ingest message was lost. Should the two still overlap, ingest enqueues a scene's tile
/// batches once and the report is announced once, so an overlap costs work, not correctness.
/// </remarks>
internal sealed partial class IncomingReconcileOnStart(
    IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, ILogger<IncomingReconcileOnStart> logger) : BackgroundService
{
    /// <summary>Time between host start and the reconcile.</summary>
    public static TimeSpan Delay { get; } = TimeSpan.FromSeconds(60);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // stopped before it started
            }
        }

        try
        {
            await Task.Delay(Delay, stoppingToken).ConfigureAwait(false);
            using var scope = scopes.CreateScope();
            var reconciler = scope.ServiceProvider.GetRequiredService<IncomingReconciler>();
            var count = await reconciler.ReconcileAsync(stoppingToken).ConfigureAwait(false);
            LogReconciled(logger, count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping
        }
#pragma warning disable CA1031 // a failed reconcile must not take the triggers down with it
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogReconcileFailed(logger, exception);
        }
    }

    [LoggerMessage(3101, LogLevel.Information, "Start-up reconcile of incoming finished: {Count} uploads enqueued again")]
    private static partial void LogReconciled(ILogger logger, int count);

    [LoggerMessage(3102, LogLevel.Error, "Start-up reconcile of incoming failed; triggers keep running")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);
}
