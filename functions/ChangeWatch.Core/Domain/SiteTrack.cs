using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Domain;

/// <summary>
/// A site followed across the scenes of one AOI (Table <c>sites</c>, partition = AOI, row = <see cref="Id"/>). Its
/// history is kept as <see cref="SiteSighting"/> rows beside it. Sites are located on the AOI grid, which is the same for
/// every scene of the AOI, so a later site is matched to a track by comparing grid boxes.
/// </summary>
public sealed record SiteTrack
{
    /// <summary>AOI.</summary>
    public required string Aoi { get; init; }

    /// <summary>
    /// Stable id: the first scene's id and the site's id in that scene's report, e.g. <c>9c41d2e07a55b310-S2</c>
    /// (derived, never random, so that repeating the work gives the same id).
    /// </summary>
    public required string Id { get; init; }

    /// <summary>The scene in which the site was first flagged.</summary>
    public required SceneId FirstSceneId { get; init; }

    /// <summary>That scene's acquisition time.</summary>
    public required DateTimeOffset FirstSeenAt { get; init; }

    /// <summary>Where the site was last flagged: its bounding box on the AOI grid, pixels.</summary>
    public required PixelWindow Footprint { get; init; }

    /// <summary>Acquisition time of the scene that gave <see cref="Footprint"/>.</summary>
    public required DateTimeOffset FootprintAt { get; init; }

    /// <summary>Acquisition time of the latest scene with an entry in the track's history.</summary>
    public required DateTimeOffset LatestAt { get; init; }

    /// <summary>The track this one was merged into (it takes no later entries), or null while open.</summary>
    public string? MergedInto { get; init; }

    /// <summary>Builds a track's id from the scene that first flagged the site and the site's id in its report.</summary>
    public static string MakeId(SceneId firstSceneId, string siteId) => $"{firstSceneId.Value}-{siteId}";

    /// <summary>
    /// The track after <paramref name="update"/>: the footprint follows the latest flagged sighting, <see cref="LatestAt"/>
    /// the latest sighting (neither depends on the order updates arrive in), and a merge is kept once made. Applying the
    /// same update again changes nothing.
    /// </summary>
    public SiteTrack With(TrackUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var s = update.Sighting;
        var moves = s.Outcome == SightingOutcome.Flagged && s.GridBounds is not null && s.AcquiredAt > FootprintAt;
        return this with
        {
            Footprint = moves ? s.GridBounds!.Value : Footprint,
            FootprintAt = moves ? s.AcquiredAt : FootprintAt,
            LatestAt = s.AcquiredAt > LatestAt ? s.AcquiredAt : LatestAt,
            MergedInto = MergedInto ?? update.MergedInto,
        };
    }
}
