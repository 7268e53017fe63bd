namespace ChangeWatch.Core.Domain;

/// <summary>
/// How one scene's sites were matched to the AOI's tracks (Table <c>sites</c>, one row per scene, written once: the first
/// writer wins and every later attempt, a redelivered message or a competing host, applies the stored one). Applying it
/// is idempotent, so a crash halfway is finished by the next attempt.
/// </summary>
public sealed record SceneTracking
{
    /// <summary>AOI.</summary>
    public required string Aoi { get; init; }

    /// <summary>The scene.</summary>
    public required SceneId SceneId { get; init; }

    /// <summary>The scene's acquisition time.</summary>
    public required DateTimeOffset AcquiredAt { get; init; }

    /// <summary>One update per track the scene touches: its sites' tracks (continued or started), merged tracks, and the
    /// open tracks it saw without change (not flagged) or could not assess.</summary>
    public IReadOnlyList<TrackUpdate> Updates { get; init; } = [];

    /// <summary>The track of a site of the scene's report, or null when the site is not in this tracking.</summary>
    public string? TrackOf(string siteId) =>
        Updates.FirstOrDefault(u => u.Sighting.Outcome == SightingOutcome.Flagged && string.Equals(u.Sighting.SiteId, siteId, StringComparison.Ordinal))?.TrackId;
}
