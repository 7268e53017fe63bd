using System.Collections.Concurrent;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Tests.Fakes;

/// <summary>
/// The catalog in dictionaries, with the same insert-once semantics as the table adapter. Records go through the
/// pipeline's JSON on the way in, as they do in Table storage, so a record that does not survive serialisation fails here too.
/// </summary>
public sealed class InMemoryCatalog : ICatalog
{
    private readonly object _gate = new();
    private readonly Dictionary<SceneId, SceneRecord> _scenes = [];
    private readonly Dictionary<string, AoiGrid> _grids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SceneId> _uploads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(SceneId, TileId), TileResult> _tiles = new();
    private readonly ConcurrentDictionary<(SceneId, int), bool> _batches = new();
    private readonly Dictionary<(SceneId Scene, string Step), StepClaim> _steps = [];
    private readonly ConcurrentDictionary<string, Rejection> _rejections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(SceneId, string), CustodyEvent> _custody = new();
    private readonly ConcurrentDictionary<(SceneId, string), SiteReview> _reviews = new();
    private readonly Dictionary<(string Aoi, string Id), StoredSiteTrack> _tracks = [];
    private readonly ConcurrentDictionary<(string Aoi, string TrackId, SceneId Scene), SiteSighting> _sightings = new();
    private readonly Dictionary<(string Aoi, SceneId Scene), SceneTracking> _trackings = [];
    private long _trackVersion;

    /// <summary>Successful track inserts and replacements.</summary>
    public int TrackWrites { get; private set; }

    /// <summary>Called inside <see cref="TrySaveSiteTrackAsync"/> before the version check (to simulate a competing writer).</summary>
    public Action<SiteTrack>? BeforeTrackSave { get; set; }

    public int SceneWrites { get; private set; }

    public Task<SceneRecord?> GetSceneAsync(SceneId id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_scenes.GetValueOrDefault(id));
        }
    }

    public Task<SceneRecord> ClaimSceneAsync(SceneRecord scene, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_scenes.TryAdd(scene.Id, RoundTrip(scene)))
            {
                SceneWrites++;
            }

            return Task.FromResult(_scenes[scene.Id]);
        }
    }

    public Task<bool> SaveSceneAsync(SceneRecord scene, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Under one lock, read-decide-write is what the table adapter does with its ETag condition.
            if (_scenes.TryGetValue(scene.Id, out var stored) && stored.Status > scene.Status)
            {
                return Task.FromResult(false);
            }

            _scenes[scene.Id] = RoundTrip(scene);
            SceneWrites++;
        }

        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<SceneRecord>> ListScenesAsync(string? aoi, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<SceneRecord>>([.. _scenes.Values.Where(s => aoi is null || s.Aoi == aoi)]);
        }
    }

    public Task<AoiGrid?> GetGridAsync(string aoi, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_grids.GetValueOrDefault(aoi));
        }
    }

    public Task<AoiGrid> GetOrAddGridAsync(AoiGrid proposed, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _grids.TryAdd(proposed.Aoi, RoundTrip(proposed));
            return Task.FromResult(_grids[proposed.Aoi]);
        }
    }

    public Task RecordUploadAsync(string blobName, SceneId sceneId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _uploads[blobName] = sceneId;
        }

        return Task.CompletedTask;
    }

    public Task<SceneId?> GetUploadAsync(string blobName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<SceneId?>(_uploads.TryGetValue(blobName, out var id) ? id : null);
        }
    }

    public Task SaveTileResultAsync(TileResult result, CancellationToken cancellationToken)
    {
        _tiles[(result.SceneId, result.Tile)] = RoundTrip(result);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TileResult>> GetTileResultsAsync(SceneId sceneId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TileResult>>([.. _tiles.Where(kv => kv.Key.Item1 == sceneId).Select(kv => kv.Value)]);

    public Task RecordBatchArrivalAsync(SceneId sceneId, int batchIndex, CancellationToken cancellationToken)
    {
        _batches[(sceneId, batchIndex)] = true;
        return Task.CompletedTask;
    }

    public Task<int> CountBatchArrivalsAsync(SceneId sceneId, CancellationToken cancellationToken) =>
        Task.FromResult(_batches.Keys.Count(k => k.Item1 == sceneId));

    /// <summary>Called inside <see cref="ClaimStepAsync"/> before the claim is read (to interleave a competing attempt).</summary>
    public Func<SceneId, string, string, Task>? BeforeStepClaimAsync { get; set; }

    public async Task<StepClaim> ClaimStepAsync(SceneId sceneId, string step, string claimant, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (BeforeStepClaimAsync is { } before)
        {
            await before(sceneId, step, claimant);
        }

        lock (_gate)
        {
            // Under one lock, read-decide-write is what the table adapter does with its ETag condition.
            var key = (sceneId, step);
            if (_steps.TryGetValue(key, out var stored)
                && (stored.Done || (stored.Claimant != claimant && stored.LeaseUntil > now)))
            {
                return stored;
            }

            return _steps[key] = new StepClaim(claimant, now + lease, false);
        }
    }

    public Task<StepClaim?> GetStepAsync(SceneId sceneId, string step, CancellationToken cancellationToken) =>
        Task.FromResult(GetStepClaim(sceneId, step));

    public Task<bool> CompleteStepAsync(SceneId sceneId, string step, string claimant, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_steps.TryGetValue((sceneId, step), out var stored) || !stored.IsHeldBy(claimant))
            {
                return Task.FromResult(false);
            }

            _steps[(sceneId, step)] = stored with { Done = true };
            return Task.FromResult(true);
        }
    }

    public Task ReleaseStepAsync(SceneId sceneId, string step, string claimant, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_steps.TryGetValue((sceneId, step), out var stored) && stored.IsHeldBy(claimant))
            {
                _steps[(sceneId, step)] = stored with { LeaseUntil = DateTimeOffset.UnixEpoch };
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The stored claim on a scene's step, or null.</summary>
    public StepClaim? GetStepClaim(SceneId sceneId, string step)
    {
        lock (_gate)
        {
            return _steps.GetValueOrDefault((sceneId, step));
        }
    }

    public Task AddRejectionAsync(Rejection rejection, CancellationToken cancellationToken)
    {
        _rejections[rejection.Key] = rejection;
        return Task.CompletedTask;
    }

    public Task<Rejection?> GetRejectionAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_rejections.GetValueOrDefault(key));

    public Task<IReadOnlyList<Rejection>> ListRejectionsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Rejection>>([.. _rejections.Values.OrderByDescending(r => r.RejectedAt)]);

    public Task AppendCustodyAsync(CustodyEvent custodyEvent, CancellationToken cancellationToken)
    {
        _custody.TryAdd((custodyEvent.SceneId, CustodyKeys.Key(custodyEvent)), custodyEvent);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CustodyEvent>> GetCustodyAsync(SceneId sceneId, CancellationToken cancellationToken) =>
        Task.FromResult(CustodyEvent.InOrder(_custody.Values.Where(c => c.SceneId == sceneId)));

    public Task SaveReviewAsync(SiteReview review, CancellationToken cancellationToken)
    {
        _reviews[(review.SceneId, review.SiteId)] = RoundTrip(review);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SiteReview>> GetReviewsAsync(SceneId sceneId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SiteReview>>([.. _reviews.Values.Where(r => r.SceneId == sceneId).OrderBy(r => r.SiteId, StringComparer.Ordinal)]);

    public Task<IReadOnlyList<SiteReview>> ListReviewsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SiteReview>>([.. _reviews.Values.OrderBy(r => r.At)]);

    public Task<IReadOnlyList<StoredSiteTrack>> GetSiteTracksAsync(string aoi, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<StoredSiteTrack>>([.. _tracks.Where(kv => kv.Key.Aoi == aoi).Select(kv => kv.Value)]);
        }
    }

    public Task<bool> TrySaveSiteTrackAsync(SiteTrack track, string? version, CancellationToken cancellationToken)
    {
        BeforeTrackSave?.Invoke(track);
        lock (_gate)
        {
            var key = (track.Aoi, track.Id);
            var exists = _tracks.TryGetValue(key, out var stored);
            if (version is null ? exists : !exists || stored!.Version != version)
            {
                return Task.FromResult(false);
            }

            _tracks[key] = new StoredSiteTrack(RoundTrip(track), (++_trackVersion).ToString(System.Globalization.CultureInfo.InvariantCulture));
            TrackWrites++;
            return Task.FromResult(true);
        }
    }

    public Task SaveSightingAsync(string aoi, string trackId, SiteSighting sighting, CancellationToken cancellationToken)
    {
        _sightings[(aoi, trackId, sighting.SceneId)] = RoundTrip(sighting);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SiteSighting>> GetSightingsAsync(string aoi, string trackId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SiteSighting>>(
            [.. _sightings.Where(kv => kv.Key.Aoi == aoi && kv.Key.TrackId == trackId).Select(kv => kv.Value).OrderBy(s => s.AcquiredAt)]);

    public Task<SceneTracking> GetOrAddSceneTrackingAsync(SceneTracking proposed, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _trackings.TryAdd((proposed.Aoi, proposed.SceneId), RoundTrip(proposed));
            return Task.FromResult(_trackings[(proposed.Aoi, proposed.SceneId)]);
        }
    }

    private static T RoundTrip<T>(T value) =>
        System.Text.Json.JsonSerializer.Deserialize<T>(Pipeline.PipelineJson.Serialize(value), Pipeline.PipelineJson.Options)!;
}
