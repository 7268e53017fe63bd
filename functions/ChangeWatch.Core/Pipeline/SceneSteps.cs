namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// The steps of a scene that must happen once however often their messages are delivered, each guarded by a leased
/// claim (<see cref="Ports.ICatalog.ClaimStepAsync"/>): the attempt that holds the claim performs the step and records it
/// done; others stop, or fail to be retried while the holder's lease runs.
/// </summary>
public static class SceneSteps
{
    /// <summary>Enqueueing the scene's tile batches (or, for an AOI's first scene, its baseline registration) at ingest.</summary>
    public const string TileBatches = "batches";

    /// <summary>Building the scene's report and announcing it on <c>reports-ready</c>.</summary>
    public const string Report = "report";

    /// <summary>A claimant token for one processing attempt: the actor (stage and machine) and a random part, so that two
    /// deliveries never share it, even of messages with the same content.</summary>
    internal static string NewClaimant(string actor) => $"{actor}/{Guid.NewGuid():N}";
}
