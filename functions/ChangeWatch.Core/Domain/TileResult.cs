namespace ChangeWatch.Core.Domain;

/// <summary>One tile's assessment, as recorded in Table <c>tiles</c> (partition = scene id, row = tile id).</summary>
public sealed record TileResult
{
    /// <summary>Scene scored.</summary>
    public required SceneId SceneId { get; init; }

    /// <summary>Tile on the AOI grid.</summary>
    public required TileId Tile { get; init; }

    /// <summary>Baseline compared against.</summary>
    public required SceneId BaselineId { get; init; }

    /// <summary>Calibrated probability of change of interest, 0-1.</summary>
    public required double Probability { get; init; }

    /// <summary>True when <see cref="Probability"/> reached the model's threshold and the tile was assessable.</summary>
    public required bool Flagged { get; init; }

    /// <summary>False when too much of the tile was masked (no data, clouds) to say anything: "not assessable", never "no change".</summary>
    public required bool Assessable { get; init; }

    /// <summary>
    /// Fraction of the tile's covered pixels (those an image shows in at least one date) masked: no data in one date,
    /// clouds, cloud shadow; 0-1. A window's part past the scenes' edges is not counted (<see cref="CoveredFraction"/>).
    /// </summary>
    public required double MaskedFraction { get; init; }

    /// <summary>
    /// Fraction of the tile's window an image covers in at least one date, 0-1 (below 1 along the scenes' edges), or null
    /// in records written before it was measured (their <see cref="MaskedFraction"/> counted the whole window).
    /// </summary>
    public double? CoveredFraction { get; init; }

    /// <summary>Fraction of the tile's core pixels in the change mask, 0-1.</summary>
    public required double ChangedFraction { get; init; }

    /// <summary>
    /// Bounding box of changed pixels inside the tile's core, in grid pixels, or null when none.
    /// </summary>
    public Imaging.PixelWindow? ChangeBounds { get; init; }

    /// <summary>Changed pixels inside the tile's core.</summary>
    public int ChangedPixels { get; init; }

    /// <summary>Co-registration shift applied (after relative to before), in pixels.</summary>
    public double ShiftX { get; init; }

    /// <summary>Co-registration shift applied (after relative to before), in pixels.</summary>
    public double ShiftY { get; init; }

    /// <summary>
    /// Misregistration left between the dates after co-registration, pixels (<see cref="CoRegistration.Residual"/>), or
    /// null when not measured. A large residual lowers trust in the tile's change mask.
    /// </summary>
    public double? CoRegistrationResidual { get; init; }

    /// <summary>
    /// What co-registration did with the pair's estimated shift (<see cref="CoRegistration.Outcome"/>), or null when the
    /// scorer does not co-register.
    /// </summary>
    public CoRegistrationOutcome? RegistrationOutcome { get; init; }

    /// <summary>Fraction of the tile's covered pixels masked as cloud in either date (<see cref="MaskSummary.CloudFraction"/>), 0-1, or null when not measured.</summary>
    public double? CloudFraction { get; init; }

    /// <summary>Fraction of the tile's covered pixels masked as cloud shadow in either date (<see cref="MaskSummary.CloudShadowFraction"/>), 0-1, or null when not measured.</summary>
    public double? CloudShadowFraction { get; init; }

    /// <summary>The baseline ("before") date looked hazy against the scene (<see cref="MaskSummary.HazeBefore"/>), or null when not measured.</summary>
    public bool? HazeBefore { get; init; }

    /// <summary>The scene ("after") date looked hazy against the baseline (<see cref="MaskSummary.HazeAfter"/>), or null when not measured.</summary>
    public bool? HazeAfter { get; init; }

    /// <summary>
    /// True when object evidence flagged the tile (<see cref="Ports.TileAssessment.FlaggedByObjectEvidence"/>: vehicles
    /// counted arriving, where the change model saw no change); null or false otherwise.
    /// </summary>
    public bool? FlaggedByObjectEvidence { get; init; }

    /// <summary>Change type label from the model (e.g. "object-build-up"), or "unclassified".</summary>
    public string ChangeType { get; init; } = "unclassified";

    /// <summary>Objects counted in the tile's core before and after, or null when not measured.</summary>
    public ObjectCounts? Objects { get; init; }

    /// <summary>Version of the model that scored the tile.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>SHA-256 of the model file.</summary>
    public required string ModelSha256 { get; init; }

    /// <summary>Version of the change-type model behind <see cref="ChangeType"/>, or null when a fixed rule labelled it.</summary>
    public string? TypeModelVersion { get; init; }

    /// <summary>SHA-256 of the change-type model's file, or null when a fixed rule labelled it.</summary>
    public string? TypeModelSha256 { get; init; }

    /// <summary>Version of the model behind <see cref="Objects"/>, or null when no objects were counted.</summary>
    public string? ObjectModelVersion { get; init; }

    /// <summary>SHA-256 recorded for the model behind <see cref="Objects"/>, or null when no objects were counted.</summary>
    public string? ObjectModelSha256 { get; init; }
}
