using System.Diagnostics;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// Takes a scene step's leased claim (<see cref="ICatalog.ClaimStepAsync"/>), waiting while another live claimant holds
/// it: the claim is re-read every <see cref="PollInterval"/> for up to <see cref="PipelineOptions.ClaimWaitSeconds"/>, so
/// a delivery that arrives while another finishes the step ends with the step done instead of failing and coming back.
/// </summary>
internal static class StepClaimWait
{
    /// <summary>How often a held claim is re-read during the wait.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The last claim read: done, held by <paramref name="claimant"/>, or still held by another when
    /// <paramref name="wait"/> ran out. A host stopping during the wait (<paramref name="cancellationToken"/>) gets the
    /// step back if it was finished meanwhile (done); otherwise the cancellation propagates and the message comes back.
    /// </summary>
    public static async Task<StepClaim> ClaimAsync(
        ICatalog catalog, TimeProvider time, SceneId sceneId, string step, string claimant, TimeSpan lease, TimeSpan wait,
        CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew(); // paces the re-reads only: the lease itself is judged on the catalog's clock
        var claim = await catalog.ClaimStepAsync(sceneId, step, claimant, time.GetUtcNow(), lease, cancellationToken).ConfigureAwait(false);
        while (!claim.Done && !claim.IsHeldBy(claimant) && waited.Elapsed < wait)
        {
            try
            {
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                if (await catalog.GetStepAsync(sceneId, step, CancellationToken.None).ConfigureAwait(false) is { Done: true } finished)
                {
                    return finished;
                }

                throw;
            }

            claim = await catalog.ClaimStepAsync(sceneId, step, claimant, time.GetUtcNow(), lease, cancellationToken).ConfigureAwait(false);
        }

        return claim;
    }
}
