using ChangeWatch.Core.Domain;

namespace ChangeWatch.Core.Ports;

/// <summary>
/// The pipeline's tables: scenes and AOI grids (<c>scenes</c>), tile results and batch arrivals (<c>tiles</c>),
/// <c>rejections</c>, <c>custody</c>, analysts' <c>reviews</c> and site tracks (<c>sites</c>). Every write is idempotent:
/// repeating it leaves the same state.
/// </summary>
public interface ICatalog
{
    /// <summary>The scene, or null.</summary>
    Task<SceneRecord?> GetSceneAsync(SceneId id, CancellationToken cancellationToken);

    /// <summary>Inserts the scene if absent. Returns the stored record (the existing one when another claim won).</summary>
    Task<SceneRecord> ClaimSceneAsync(SceneRecord scene, CancellationToken cancellationToken);

    /// <summary>
    /// Overwrites the scene record (inserts it when absent), unless the stored record's <see cref="SceneRecord.Status"/> is
    /// further along (<see cref="SceneStatus"/> order) than <paramref name="scene"/>'s: a scene's status never moves
    /// backwards, so a late write from an earlier stage changes nothing. A record with the same or a later status replaces
    /// the stored one. Conditional on the stored version (ETag): of writers racing, each decides against what it replaces.
    /// Returns true when written, false when the stored status was further along and nothing changed.
    /// </summary>
    Task<bool> SaveSceneAsync(SceneRecord scene, CancellationToken cancellationToken);

    /// <summary>Scenes of one AOI, or of all AOIs when <paramref name="aoi"/> is null.</summary>
    Task<IReadOnlyList<SceneRecord>> ListScenesAsync(string? aoi, CancellationToken cancellationToken);

    /// <summary>The AOI's grid, or null before its first scene.</summary>
    Task<AoiGrid?> GetGridAsync(string aoi, CancellationToken cancellationToken);

    /// <summary>Inserts the AOI grid if absent and returns the stored one (the first scene of an AOI fixes its grid).</summary>
    Task<AoiGrid> GetOrAddGridAsync(AoiGrid proposed, CancellationToken cancellationToken);

    /// <summary>Records that upload <paramref name="blobName"/> is scene <paramref name="sceneId"/> (idempotent).</summary>
    Task RecordUploadAsync(string blobName, SceneId sceneId, CancellationToken cancellationToken);

    /// <summary>The scene an upload became, or null when it was never ingested.</summary>
    Task<SceneId?> GetUploadAsync(string blobName, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a tile result (the same tile scored twice gives the same row).</summary>
    Task SaveTileResultAsync(TileResult result, CancellationToken cancellationToken);

    /// <summary>All tile results of a scene.</summary>
    Task<IReadOnlyList<TileResult>> GetTileResultsAsync(SceneId sceneId, CancellationToken cancellationToken);

    /// <summary>Records that batch <paramref name="batchIndex"/> of a scene has been scored and reached the report stage (idempotent).</summary>
    Task RecordBatchArrivalAsync(SceneId sceneId, int batchIndex, CancellationToken cancellationToken);

    /// <summary>Distinct batches of a scene recorded by <see cref="RecordBatchArrivalAsync"/>.</summary>
    Task<int> CountBatchArrivalsAsync(SceneId sceneId, CancellationToken cancellationToken);

    /// <summary>
    /// Claims once-only step <paramref name="step"/> (<see cref="Pipeline.SceneSteps"/>) of a scene for
    /// <paramref name="claimant"/>, a token unique to one processing attempt, until <paramref name="now"/> +
    /// <paramref name="lease"/>. Inserts the claim when there is none; renews it when <paramref name="claimant"/> holds it;
    /// takes it over when another claimant's lease ended at or before <paramref name="now"/> and the step is not done.
    /// Every change is conditional on the stored version (ETag), so of attempts racing for a claim exactly one gets it.
    /// Returns the claim as stored after the call: the caller holds it when <see cref="StepClaim.IsHeldBy"/> is true.
    /// </summary>
    Task<StepClaim> ClaimStepAsync(SceneId sceneId, string step, string claimant, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>The stored claim on step <paramref name="step"/> of a scene, or null when nobody ever claimed it. Changes nothing.</summary>
    Task<StepClaim?> GetStepAsync(SceneId sceneId, string step, CancellationToken cancellationToken);

    /// <summary>
    /// Records the step as done if <paramref name="claimant"/> still holds its claim (conditional on the stored version).
    /// Returns false, changing nothing, when another claimant took it over or it was already done.
    /// </summary>
    Task<bool> CompleteStepAsync(SceneId sceneId, string step, string claimant, CancellationToken cancellationToken);

    /// <summary>
    /// Ends <paramref name="claimant"/>'s lease at once if it still holds the claim and the step is not done (conditional on
    /// the stored version), so that the next attempt after a failure need not wait for the lease to run out. Otherwise does nothing.
    /// </summary>
    Task ReleaseStepAsync(SceneId sceneId, string step, string claimant, CancellationToken cancellationToken);

    /// <summary>Adds a rejection (idempotent by key and stage).</summary>
    Task AddRejectionAsync(Rejection rejection, CancellationToken cancellationToken);

    /// <summary>A rejection by key, or null.</summary>
    Task<Rejection?> GetRejectionAsync(string key, CancellationToken cancellationToken);

    /// <summary>All rejections, newest first.</summary>
    Task<IReadOnlyList<Rejection>> ListRejectionsAsync(CancellationToken cancellationToken);

    /// <summary>Appends a custody event (idempotent by scene and <see cref="CustodyKeys.Key"/>: pipeline steps once each,
    /// every review once per time).</summary>
    Task AppendCustodyAsync(CustodyEvent custodyEvent, CancellationToken cancellationToken);

    /// <summary>A scene's custody events in time order.</summary>
    Task<IReadOnlyList<CustodyEvent>> GetCustodyAsync(SceneId sceneId, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the verdict on a site (Table <c>reviews</c>: one row per scene and site).</summary>
    Task SaveReviewAsync(SiteReview review, CancellationToken cancellationToken);

    /// <summary>The verdicts on a scene's sites, by site id.</summary>
    Task<IReadOnlyList<SiteReview>> GetReviewsAsync(SceneId sceneId, CancellationToken cancellationToken);

    /// <summary>Every verdict, oldest first.</summary>
    Task<IReadOnlyList<SiteReview>> ListReviewsAsync(CancellationToken cancellationToken);

    /// <summary>The site tracks of an AOI (Table <c>sites</c>), open and merged, each with its stored version.</summary>
    Task<IReadOnlyList<StoredSiteTrack>> GetSiteTracksAsync(string aoi, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a track if nobody changed it since it was read: with <paramref name="version"/> null, inserts it when absent;
    /// otherwise replaces it when the stored version is still <paramref name="version"/>. Returns false, writing nothing,
    /// when another writer came first (read again and retry).
    /// </summary>
    Task<bool> TrySaveSiteTrackAsync(SiteTrack track, string? version, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a track's history entry for one scene (one row per track and scene).</summary>
    Task SaveSightingAsync(string aoi, string trackId, SiteSighting sighting, CancellationToken cancellationToken);

    /// <summary>A track's history, in acquisition order.</summary>
    Task<IReadOnlyList<SiteSighting>> GetSightingsAsync(string aoi, string trackId, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts a scene's tracking if none is stored and returns the stored one (the existing one when another writer won),
    /// so that a scene's sites are matched to tracks exactly once.
    /// </summary>
    Task<SceneTracking> GetOrAddSceneTrackingAsync(SceneTracking proposed, CancellationToken cancellationToken);
}
