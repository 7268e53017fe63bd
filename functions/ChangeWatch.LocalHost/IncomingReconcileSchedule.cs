using ChangeWatch.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChangeWatch.LocalHost;

/// <summary>
/// Runs <see cref="IncomingReconciler"/> <see cref="Delay"/> after the host (and so the triggers) has started, then every
/// <see cref="PipelineOptions.ReconcileIntervalSeconds"/> (0: only that once). A failed run is logged and does not stop
/// the host: the triggers keep running and the next run reconciles again.
/// </summary>
/// <remarks>
/// The local host's blob trigger polls: on development storage WebJobs lists the container every 2 s and takes blobs
/// modified after the newest time it has seen, at one-second resolution, so a blob written in the same second as one a
/// scan already saw is never triggered (seen with a band manifest written just after its band files, or an image just
/// after its sidecar). The periodic runs repair such uploads. The reconciler leaves alone every upload younger than
/// <c>ChangeWatch:ReconcileMinAgeSeconds</c> (its blob-trigger message may still be in flight) and enqueues each upload
/// at most once per host run. Should a run still overlap a trigger, ingest enqueues a scene's tile batches once and the
/// report is announced once, so an overlap costs work, not correctness.
/// </remarks>
internal sealed partial class IncomingReconcileSchedule(
    IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, IOptions<PipelineOptions> options, ILogger<IncomingReconcileSchedule> logger)
    : BackgroundService
{
    /// <summary>Time between host start and the first reconcile.</summary>
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

        var interval = TimeSpan.FromSeconds(options.Value.ReconcileIntervalSeconds);
        try
        {
            await Task.Delay(Delay, stoppingToken).ConfigureAwait(false);
            while (true)
            {
                await ReconcileOnceAsync(stoppingToken).ConfigureAwait(false);
                if (interval <= TimeSpan.Zero)
                {
                    return;
                }

                await Task.Delay(interval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // host stopping
        }
    }

    private async Task ReconcileOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var scope = scopes.CreateScope();
            var reconciler = scope.ServiceProvider.GetRequiredService<IncomingReconciler>();
            var count = await reconciler.ReconcileAsync(stoppingToken).ConfigureAwait(false);
            LogReconciled(logger, count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // a failed reconcile must not take the triggers down with it
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogReconcileFailed(logger, exception);
        }
    }

    [LoggerMessage(3101, LogLevel.Information, "Reconcile of incoming finished: {Count} uploads enqueued again")]
    private static partial void LogReconciled(ILogger logger, int count);

    [LoggerMessage(3102, LogLevel.Error, "Reconcile of incoming failed; triggers keep running and the next run tries again")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);
}
