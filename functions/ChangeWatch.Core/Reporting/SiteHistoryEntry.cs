namespace ChangeWatch.Core.Reporting;

/// <summary>
/// One scene in a tracked site's history, as a report shows it. <see cref="Outcome"/> is "flagged" (a site of that scene
/// lies on the track), "not-flagged" (assessable, no change flagged there since the previous scene), "not-assessable"
/// (masked or outside the scene) or "merged" (the track ended, continued by another); the site facts are null unless a
/// site of that scene lies on the track.
/// </summary>
/// <param name="SceneId">The scene.</param>
/// <param name="AcquiredAt">Its acquisition time.</param>
/// <param name="Outcome">"flagged", "not-flagged", "not-assessable" or "merged".</param>
/// <param name="SiteId">The site's id in that scene's report, or null.</param>
/// <param name="Probability">The site's probability, or null.</param>
/// <param name="ChangeType">The site's change type, or null.</param>
/// <param name="ChangedPixels">The site's changed pixels, or null.</param>
/// <param name="AreaSquareMetres">The site's changed area in m², or null.</param>
/// <param name="Objects">The site's object counts, or null when not measured.</param>
/// <param name="Status">The site's status in that report when it was written ("candidate" or a verdict), or null.</param>
/// <param name="Note">Merges and splits in words, or null.</param>
public sealed record SiteHistoryEntry(
    string SceneId, DateTimeOffset AcquiredAt, string Outcome, string? SiteId, double? Probability, string? ChangeType, int? ChangedPixels,
    double? AreaSquareMetres, Domain.ObjectCounts? Objects, string? Status, string? Note);
