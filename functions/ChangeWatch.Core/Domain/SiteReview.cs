using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Domain;

/// <summary>
/// An analyst's verdict on one site of a scene's report (Table <c>reviews</c>, partition = scene id, row = site id; a
/// later verdict on the same site replaces the earlier one, custody keeps both). It carries what a training example
/// needs, copied from the report when the verdict was given, so the label stands on its own.
/// </summary>
public sealed record SiteReview
{
    /// <summary>Scene reviewed.</summary>
    public required SceneId SceneId { get; init; }

    /// <summary>AOI of the scene.</summary>
    public required string Aoi { get; init; }

    /// <summary>Site id within the report (e.g. "S1").</summary>
    public required string SiteId { get; init; }

    /// <summary>The verdict.</summary>
    public required ReviewVerdict Verdict { get; init; }

    /// <summary>Who gave it (untrusted text).</summary>
    public required string Analyst { get; init; }

    /// <summary>Free text, or null (untrusted text).</summary>
    public string? Note { get; init; }

    /// <summary>When.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The baseline the scene was compared with, or null.</summary>
    public SceneId? BaselineId { get; init; }

    /// <summary>The site's tiles on the AOI grid.</summary>
    public IReadOnlyList<string> Tiles { get; init; } = [];

    /// <summary>The site's bounding box in scene pixels.</summary>
    public PixelWindow SceneBounds { get; init; }

    /// <summary>The site's bounding box on the AOI grid, pixels.</summary>
    public PixelWindow GridBounds { get; init; }

    /// <summary>The model's probability for the site, 0-1.</summary>
    public double Probability { get; init; }

    /// <summary>The model's change type for the site.</summary>
    public string? ChangeType { get; init; }

    /// <summary>Version of the model that flagged the site.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>SHA-256 of that model's file.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>Objects counted on the site before and after, or null when not measured.</summary>
    public ObjectCounts? Objects { get; init; }
}
