namespace ChangeWatch.Core.Domain;

/// <summary>What a later scene of an AOI said about a tracked site (<see cref="SiteSighting.Outcome"/>).</summary>
public enum SightingOutcome
{
    /// <summary>A site of the scene's report lies on the track: change was flagged there again.</summary>
    Flagged,

    /// <summary>
    /// Every tile over the track's footprint was assessable and no site of the scene lies on it: no change of interest
    /// was flagged there since the previous scene (each report compares with the previous scene, so this is not "gone").
    /// </summary>
    NotFlagged,

    /// <summary>Some tile over the track's footprint was masked (clouds, no data) or outside the scene: nothing can be said.</summary>
    NotAssessable,

    /// <summary>A site of the scene covers this track and an older one; the track ends here, continued by the older one.</summary>
    Merged,
}
