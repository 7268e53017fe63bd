namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// The containers, queues, tables and connection setting the pipeline uses (DESIGN.md, "Storage layout").
/// They are constants, not settings: trigger attributes bind them at compile time, and <c>infra/</c> creates exactly
/// these names (a test keeps code, the Functions metadata and the local host in step).
/// </summary>
public static class StorageNames
{
    /// <summary>App setting (or setting prefix, for identity-based connections) of the imagery storage account.</summary>
    public const string Connection = "ChangeWatchStorage";

    /// <summary>Provider uploads: <c>{aoi}/{file}</c>. Never modified or deleted by the pipeline.</summary>
    public const string IncomingContainer = "incoming";

    /// <summary>Blob trigger path on <see cref="IncomingContainer"/>.</summary>
    public const string IncomingTriggerPath = "incoming/{aoi}/{name}";

    /// <summary>Tiles: <c>{aoi}/{sceneId}/{row}_{col}.tif</c>.</summary>
    public const string TilesContainer = "tiles";

    /// <summary>Reports: <c>{aoi}/{sceneId}/report.json</c>, <c>report.html</c>, <c>overview.png</c>, <c>chips/</c>.</summary>
    public const string ReportsContainer = "reports";

    /// <summary>Copies of rejected inputs.</summary>
    public const string QuarantineContainer = "quarantine";

    /// <summary>Published model files.</summary>
    public const string ModelsContainer = "models";

    /// <summary>Uploads that passed cheap checks.</summary>
    public const string SceneIngestQueue = "scene-ingest";

    /// <summary>Tile batches to score.</summary>
    public const string TileBatchesQueue = "tile-batches";

    /// <summary>Scored batches with their flagged tiles.</summary>
    public const string ChangeFlagsQueue = "change-flags";

    /// <summary>Finished reports.</summary>
    public const string ReportsReadyQueue = "reports-ready";

    /// <summary>Scene catalog, AOI grids and upload aliases.</summary>
    public const string ScenesTable = "scenes";

    /// <summary>Tile results and batch arrivals.</summary>
    public const string TilesTable = "tiles";

    /// <summary>Rejection records.</summary>
    public const string RejectionsTable = "rejections";

    /// <summary>Chain of custody.</summary>
    public const string CustodyTable = "custody";

    /// <summary>Analyst verdicts.</summary>
    public const string ReviewsTable = "reviews";

    /// <summary>Site tracks of each AOI, their history and each scene's matching.</summary>
    public const string SitesTable = "sites";

    /// <summary>Every container.</summary>
    public static IReadOnlyList<string> Containers { get; } =
        [IncomingContainer, TilesContainer, ReportsContainer, QuarantineContainer, ModelsContainer];

    /// <summary>Every queue the pipeline sends to or listens on (poison queues are created by the runtime).</summary>
    public static IReadOnlyList<string> Queues { get; } =
        [SceneIngestQueue, TileBatchesQueue, ChangeFlagsQueue, ReportsReadyQueue];

    /// <summary>Every table.</summary>
    public static IReadOnlyList<string> Tables { get; } =
        [ScenesTable, TilesTable, RejectionsTable, CustodyTable, ReviewsTable, SitesTable];

    /// <summary>The poison queue the runtime moves a queue's failing messages to.</summary>
    public static string PoisonQueue(string queue) => queue + "-poison";
}
