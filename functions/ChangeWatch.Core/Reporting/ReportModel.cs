using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Reporting;

/// <summary>
/// Everything a verification report says, before rendering. Serialised as <c>report.json</c> (schema
/// <see cref="SchemaVersion"/>) and rendered as <c>report.html</c>.
/// </summary>
public sealed record ReportModel
{
    /// <summary>
    /// Current report schema version. 1.1 added MGRS, site outlines, site status and review, processing times and the
    /// quality summary; 1.2 added site object counts; 1.3 site tracks (track id, first seen, history); 1.4 whether the flag
    /// threshold was adaptive (<see cref="ModelThresholdAdaptive"/>); 1.5 the vehicle count model (<see cref="ObjectModelVersion"/>). Reports of earlier
    /// versions still read (the new fields are null or empty).
    /// </summary>
    public const string CurrentSchemaVersion = "1.5";

    /// <summary>Schema version of this report.</summary>
    public string SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>"change" for a scene compared with a baseline, "baseline-registered" for an AOI's first scene.</summary>
    public required string Kind { get; init; }

    /// <summary>
    /// <see cref="ReportStatus.Candidate"/> (not verified by an analyst) until a review; then
    /// <see cref="ReportStatus.PartiallyReviewed"/> while some sites lack a verdict, <see cref="ReportStatus.Reviewed"/>
    /// when every site has one (a report without sites stays a candidate).
    /// </summary>
    public string Status { get; init; } = ReportStatus.Candidate;

    /// <summary>AOI name.</summary>
    public required string Aoi { get; init; }

    /// <summary>The scene reported on.</summary>
    public required SceneSummary Scene { get; init; }

    /// <summary>The scene it was compared with, or null for a baseline registration.</summary>
    public SceneSummary? Baseline { get; init; }

    /// <summary>Model version, null for a baseline registration.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Model file SHA-256.</summary>
    public string? ModelSha256 { get; init; }

    /// <summary>Model flag threshold.</summary>
    public double? ModelThreshold { get; init; }

    /// <summary>True when each tile took a threshold of its own from its scores, <see cref="ModelThreshold"/> being the least (<see cref="Ports.IChangeScorer.AdaptiveThresholdAt"/>); null for a baseline registration.</summary>
    public bool? ModelThresholdAdaptive { get; init; }

    /// <summary>Version of the change-type model that labelled the sites, or null (baseline registration, or types from a fixed rule).</summary>
    public string? TypeModelVersion { get; init; }

    /// <summary>SHA-256 of the change-type model's file, or null.</summary>
    public string? TypeModelSha256 { get; init; }

    /// <summary>Version of the model that counted the sites' objects (e.g. "objects-v1"), or null (baseline registration, or no counts).</summary>
    public string? ObjectModelVersion { get; init; }

    /// <summary>SHA-256 recorded for the vehicle count model, or null.</summary>
    public string? ObjectModelSha256 { get; init; }

    /// <summary>ChangeWatch version that made the report.</summary>
    public required string CodeVersion { get; init; }

    /// <summary>Tile counts.</summary>
    public required TileCounts Tiles { get; init; }

    /// <summary>Sites of change, highest probability first.</summary>
    public IReadOnlyList<SiteModel> Sites { get; init; } = [];

    /// <summary>Things that limit what the report can say.</summary>
    public IReadOnlyList<string> Caveats { get; init; } = [];

    /// <summary>Upload received (scene blob last-modified).</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>When the report was built.</summary>
    public required DateTimeOffset ReportedAt { get; init; }

    /// <summary>Chain of custody so far.</summary>
    public IReadOnlyList<CustodyEntry> Custody { get; init; } = [];

    /// <summary>When ingest finished (tiles written), or null when not recorded.</summary>
    public DateTimeOffset? IngestedAt { get; init; }

    /// <summary>Seconds from <see cref="ReceivedAt"/> to <see cref="ReportedAt"/>.</summary>
    public double ProcessingSeconds { get; init; }

    /// <summary>Co-registration and masking over the scored tiles, or null for a baseline registration.</summary>
    public QualitySummary? Quality { get; init; }

    /// <summary>Scene pixels per pixel of <c>overview.png</c>, or null when there is no overview.</summary>
    public double? OverviewScale { get; init; }
}

/// <summary>A scene as a report describes it. Provider and sensor are untrusted text.</summary>
public sealed record SceneSummary(
    string SceneId, string Sha256, string BlobName, DateTimeOffset AcquiredAt, bool AcquisitionTimeAssumed,
    string? Provider, string? Sensor, double? GroundSampleDistance, int Width, int Height, int BandCount, int? Epsg);

/// <summary>How many tiles were scored, assessable, flagged.</summary>
public sealed record TileCounts(int Total, int Assessable, int NotAssessable, int Flagged);

/// <summary>One step of custody, for display.</summary>
public sealed record CustodyEntry(string Step, string Actor, DateTimeOffset At, string Detail);

/// <summary>A site: flagged tiles that touch, grouped, with where and how sure.</summary>
public sealed record SiteModel
{
    /// <summary>Stable id within the report, e.g. "S1".</summary>
    public required string Id { get; init; }

    /// <summary>Change type label.</summary>
    public required string ChangeType { get; init; }

    /// <summary>Highest tile probability in the site, 0-1.</summary>
    public required double Probability { get; init; }

    /// <summary>Hedged wording from the probability band, e.g. "assessed as likely change of interest".</summary>
    public required string Assessment { get; init; }

    /// <summary>Tile ids.</summary>
    public required IReadOnlyList<string> Tiles { get; init; }

    /// <summary>Bounding box of changed pixels, grid pixels.</summary>
    public required PixelWindow GridBounds { get; init; }

    /// <summary>Bounding box in scene pixels.</summary>
    public required PixelWindow SceneBounds { get; init; }

    /// <summary>Changed pixels.</summary>
    public required int ChangedPixels { get; init; }

    /// <summary>Changed area in m², when the ground sample distance is known.</summary>
    public double? AreaSquareMetres { get; init; }

    /// <summary>Centroid latitude (WGS84), when georeferenced.</summary>
    public double? Latitude { get; init; }

    /// <summary>Centroid longitude (WGS84), when georeferenced.</summary>
    public double? Longitude { get; init; }

    /// <summary>Largest co-registration shift among the site's tiles, pixels.</summary>
    public double MaxShift { get; init; }

    /// <summary>Mean masked fraction of the site's tiles.</summary>
    public double MaskedFraction { get; init; }

    /// <summary>
    /// Largest co-registration residual among the site's tiles (<see cref="Domain.TileResult.CoRegistrationResidual"/>),
    /// pixels, or null when no tile of the site measured one (also in reports written before the field existed).
    /// </summary>
    public double? MaxResidual { get; init; }

    /// <summary>
    /// Mean fraction of the site's tiles masked as cloud or cloud shadow, 0-1 (part of <see cref="MaskedFraction"/>), or
    /// null ("not measured") when any of its tiles was not checked for clouds.
    /// </summary>
    public double? CloudMaskedFraction { get; init; }

    /// <summary>Chip file of the baseline, relative to the report folder.</summary>
    public string? BeforeChip { get; init; }

    /// <summary>Chip file of the new scene, relative to the report folder.</summary>
    public string? AfterChip { get; init; }

    /// <summary>MGRS reference of the centroid (1 m digits, e.g. "36U UA 12345 67890"), when georeferenced.</summary>
    public string? Mgrs { get; init; }

    /// <summary>
    /// The site's bounding box in WGS84: a closed ring of its four corners (top-left, bottom-left, bottom-right,
    /// top-right, top-left again: anticlockwise on a north-up scene), or null when not georeferenced.
    /// </summary>
    public IReadOnlyList<GeoPoint>? Outline { get; init; }

    /// <summary>"candidate" until reviewed, then the verdict ("confirmed", "rejected", "uncertain").</summary>
    public string Status { get; init; } = ReportStatus.Candidate;

    /// <summary>The latest analyst verdict, or null.</summary>
    public SiteReviewEntry? Review { get; init; }

    /// <summary>
    /// Objects counted before and after, summed over the site's tiles (each tile counts its core only, so no object is
    /// counted twice), or null ("not measured") when any of its tiles has no counts: a partial sum is never reported.
    /// </summary>
    public Domain.ObjectCounts? Objects { get; init; }

    /// <summary>
    /// The site's stable id across the scenes of its AOI (e.g. <c>9c41d2e07a55b310-S2</c>: the scene that first flagged it
    /// and its id there), or null in reports written before tracks existed. <see cref="Id"/> stays the report-local id.
    /// </summary>
    public string? TrackId { get; init; }

    /// <summary>The scene in which the site was first flagged, or null without a track.</summary>
    public SceneReference? FirstSeen { get; init; }

    /// <summary>The track's history up to and including this scene, oldest first; empty without a track.</summary>
    public IReadOnlyList<SiteHistoryEntry> History { get; init; } = [];
}

/// <summary>Image evidence handed to the renderer: an overview of the scene and a before/after chip pair per site.</summary>
/// <param name="Overview">Downsampled scene (any band count), or null.</param>
/// <param name="OverviewScale">Scene pixels per overview pixel.</param>
/// <param name="Chips">Chips by site id.</param>
public sealed record ReportImagery(TileRaster? Overview, double OverviewScale, IReadOnlyDictionary<string, SiteChips> Chips);

/// <summary>Before and after chips of a site (same window), and the change mask over it (row-major, 1 = change) if any.</summary>
public sealed record SiteChips(TileRaster Before, TileRaster After, byte[]? Mask);
