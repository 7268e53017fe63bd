using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Domain;

/// <summary>
/// Where a scene is in the pipeline, in pipeline order: a scene's recorded status only moves forward
/// (<see cref="Ports.ICatalog.SaveSceneAsync"/> ignores a write that would lower it).
/// </summary>
public enum SceneStatus
{
    /// <summary>Claimed by an ingest; tiles may be partly written.</summary>
    Ingesting,
    /// <summary>Tiles written and the record complete; tile batches are being enqueued or have been (the scene's
    /// <see cref="Pipeline.SceneSteps.TileBatches"/> step is done once they all are).</summary>
    Ingested,
    /// <summary>Report written and announced on <c>reports-ready</c>.</summary>
    Reported,
}

/// <summary>A scene in the catalog (Table <c>scenes</c>).</summary>
public sealed record SceneRecord
{
    /// <summary>Content-derived id.</summary>
    public required SceneId Id { get; init; }

    /// <summary>AOI name.</summary>
    public required string Aoi { get; init; }

    /// <summary>Full SHA-256 of the original file, lowercase hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The upload (in <c>incoming</c>) that produced this scene first.</summary>
    public required string BlobName { get; init; }

    /// <summary>Original size in bytes.</summary>
    public required long Length { get; init; }

    /// <summary>Header facts.</summary>
    public required int Width { get; init; }

    /// <summary>Header facts.</summary>
    public required int Height { get; init; }

    /// <summary>Header facts.</summary>
    public required int BandCount { get; init; }

    /// <summary>Container format.</summary>
    public required RasterFormat Format { get; init; }

    /// <summary>Georeferencing, from the file or the sidecar's bounds.</summary>
    public GeoReference? GeoReference { get; init; }

    /// <summary>Provider metadata (acquisition time always set).</summary>
    public required SceneMetadata Metadata { get; init; }

    /// <summary>True when the acquisition time was not given and the upload time was used instead.</summary>
    public bool AcquisitionTimeAssumed { get; init; }

    /// <summary>Placement on the AOI grid.</summary>
    public ScenePlacement? Placement { get; init; }

    /// <summary>The scene this one is compared with, or null for an AOI's first scene.</summary>
    public SceneId? BaselineId { get; init; }

    /// <summary>Number of tile batches enqueued for scoring (1 for a baseline-only scene).</summary>
    public int BatchCount { get; init; }

    /// <summary>
    /// Tiles per batch the scene's tiles were cut into at ingest (the last batch may hold fewer), so a delivery that resends
    /// the batches cuts them the same way whatever the setting is by then; null for scenes ingested before it was recorded.
    /// </summary>
    public int? BatchSize { get; init; }

    /// <summary>Number of tiles on the grid covering the scene.</summary>
    public int TileCount { get; init; }

    /// <summary>Pipeline status.</summary>
    public SceneStatus Status { get; init; }

    /// <summary>When the upload was received (blob last-modified).</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>
    /// Per-band robust statistics of the scene on its grid (computed while its tiles were written), or null for a scene
    /// ingested before they existed or without any pixel holding data in every band.
    /// </summary>
    public SceneStatistics? Statistics { get; init; }

    /// <summary>
    /// The pixel model's raster-level values over this scene and its baseline (<see cref="BaselineId"/>), sampled at ingest
    /// from the pair's tiles (<see cref="Pipeline.PairRasterTiles"/>), which every tile of the pair is scored with
    /// (<see cref="ScenePairStatistics.Raster"/>); null for an AOI's first scene, a scorer without such values, a pair
    /// without statistics for both dates, or a scene ingested before they existed (each tile then uses its own).
    /// </summary>
    public PairRasterValues? PairRaster { get; init; }

    /// <summary>When ingest finished.</summary>
    public DateTimeOffset? IngestedAt { get; init; }
}
