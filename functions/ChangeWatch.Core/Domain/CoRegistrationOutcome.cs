namespace ChangeWatch.Core.Domain;

/// <summary>What co-registration did with a tile pair's estimated shift.</summary>
public enum CoRegistrationOutcome
{
    /// <summary>Not estimated: too few valid pixels or a tile too small for phase correlation; compared unshifted.</summary>
    NotMeasured,

    /// <summary>The estimated shift was below the smallest shift worth resampling for; compared unshifted.</summary>
    NotNeeded,

    /// <summary>The after tile was resampled by the estimated shift before comparison.</summary>
    Applied,

    /// <summary>The estimated shift was larger than plausible misregistration; compared unshifted.</summary>
    RefusedLargeShift,

    /// <summary>The correlation peak was too weak to trust the estimate (dates too different, or flat content); compared unshifted.</summary>
    RefusedWeakPeak,
}
