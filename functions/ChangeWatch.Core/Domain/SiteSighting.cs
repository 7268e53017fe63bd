using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Domain;

/// <summary>
/// One entry of a tracked site's history (Table <c>sites</c>, one row per track and scene: writing the same scene's
/// entry again replaces it with itself). The site facts are those of the scene's report when the outcome is
/// <see cref="SightingOutcome.Flagged"/> or <see cref="SightingOutcome.Merged"/>, else null.
/// </summary>
public sealed record SiteSighting
{
    /// <summary>The scene.</summary>
    public required SceneId SceneId { get; init; }

    /// <summary>The scene's acquisition time.</summary>
    public required DateTimeOffset AcquiredAt { get; init; }

    /// <summary>What the scene said about the site.</summary>
    public required SightingOutcome Outcome { get; init; }

    /// <summary>The site's id in the scene's report ("S1"), or null when no site lies on the track.</summary>
    public string? SiteId { get; init; }

    /// <summary>The site's probability, 0-1.</summary>
    public double? Probability { get; init; }

    /// <summary>The site's change type.</summary>
    public string? ChangeType { get; init; }

    /// <summary>The site's changed pixels.</summary>
    public int? ChangedPixels { get; init; }

    /// <summary>The site's changed area, m², when the ground sample distance is known.</summary>
    public double? AreaSquareMetres { get; init; }

    /// <summary>The site's object counts, or null when not measured.</summary>
    public ObjectCounts? Objects { get; init; }

    /// <summary>The site's status in that report: "candidate" or an analyst's verdict.</summary>
    public string? Status { get; init; }

    /// <summary>The site's bounding box on the AOI grid, pixels.</summary>
    public PixelWindow? GridBounds { get; init; }

    /// <summary>Merges and splits in plain words ("merged with ...", "split from ...", "merged into ..."), or null.</summary>
    public string? Note { get; init; }
}
