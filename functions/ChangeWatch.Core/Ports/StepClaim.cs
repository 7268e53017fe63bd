namespace ChangeWatch.Core.Ports;

/// <summary>
/// Who may perform a once-only step of a scene (<see cref="Pipeline.SceneSteps"/>), until when, and whether it is done.
/// </summary>
/// <param name="Claimant">The processing attempt holding the claim: a token unique to one delivery of one message, so two
/// copies of a message with the same content are two claimants.</param>
/// <param name="LeaseUntil">When the claim lapses: after this, another attempt may take it over (its holder is presumed
/// dead) unless the step is done.</param>
/// <param name="Done">True once the holder recorded the step as done; nobody performs it again.</param>
public sealed record StepClaim(string Claimant, DateTimeOffset LeaseUntil, bool Done)
{
    /// <summary>True when <paramref name="claimant"/> holds this claim and the step is not done yet.</summary>
    public bool IsHeldBy(string claimant) => !Done && string.Equals(Claimant, claimant, StringComparison.Ordinal);
}
