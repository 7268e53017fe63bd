using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Ports;
using ChangeWatch.Core.Reporting;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.Core.Tracking;

/// <summary>
/// Follows a scene's sites across the scenes of its AOI (Table <c>sites</c>): matches them to the AOI's tracks with
/// <see cref="SiteMatcher"/>, records the matching once per scene, applies it, and returns the sites with their track id,
/// first sighting and history.
/// <para>
/// Idempotent and safe with competing hosts: the first stored matching of a scene wins (insert-if-absent) and every
/// attempt applies that one; history entries are rows keyed by track and scene, so writing one again changes nothing;
/// track rows are replaced only if unchanged since read (ETag), otherwise read again and the update re-applied. A crash
/// halfway is finished by the next attempt.
/// </para>
/// <para>
/// Scenes of an AOI must be tracked in acquisition order: the caller tracks a scene only once its baseline's report
/// (and so its tracking) is written.
/// </para>
/// </summary>
/// <param name="catalog">The <c>sites</c> table, through the catalog.</param>
/// <param name="logger">Log.</param>
public sealed class SiteTracker(ICatalog catalog, ILogger logger)
{
    private const int MaxAttempts = 8;

    /// <summary>
    /// Tracks <paramref name="sites"/> of <paramref name="scene"/> and returns them, in the same order, with
    /// <see cref="SiteModel.TrackId"/>, <see cref="SiteModel.FirstSeen"/> and <see cref="SiteModel.History"/> (entries up to
    /// this scene's acquisition time).
    /// </summary>
    /// <exception cref="InvalidOperationException">A track kept changing under it (retry the message), or the stored
    /// tracking names a track that does not exist.</exception>
    public async Task<IReadOnlyList<SiteModel>> TrackAsync(
        SceneRecord scene, AoiGrid grid, IReadOnlyList<SiteModel> sites, IReadOnlyList<TileResult> results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(sites);
        var acquiredAt = scene.Metadata.AcquiredAt;
        var stored = await catalog.GetSiteTracksAsync(scene.Aoi, cancellationToken).ConfigureAwait(false);
        // When an earlier attempt already stored this scene's matching, the proposal (made from tracks it may have
        // updated) is discarded and the stored one applied.
        var proposed = SiteMatcher.Match(scene.Aoi, scene.Id, acquiredAt, stored.Select(s => s.Track), sites, grid, results);
        var tracking = await catalog.GetOrAddSceneTrackingAsync(proposed, cancellationToken).ConfigureAwait(false);
        await ApplyAsync(tracking, stored, cancellationToken).ConfigureAwait(false);
        logger.SitesTracked(scene.Id.Value, scene.Aoi,
            tracking.Updates.Count(u => u.Sighting.Outcome == SightingOutcome.Flagged && !u.Starts),
            tracking.Updates.Count(u => u.Starts),
            tracking.Updates.Count(u => u.Sighting.Outcome == SightingOutcome.Merged),
            tracking.Updates.Count(u => u.Sighting.Outcome is SightingOutcome.NotFlagged or SightingOutcome.NotAssessable));

        var tracked = new List<SiteModel>(sites.Count);
        foreach (var site in sites)
        {
            if (tracking.TrackOf(site.Id) is not { } trackId)
            {
                tracked.Add(site);
                continue;
            }

            var history = (await catalog.GetSightingsAsync(scene.Aoi, trackId, cancellationToken).ConfigureAwait(false))
                .Where(h => h.AcquiredAt <= acquiredAt)
                .OrderBy(h => h.AcquiredAt)
                .Select(Entry)
                .ToList();
            tracked.Add(site with
            {
                TrackId = trackId,
                FirstSeen = history.Count == 0 ? null : new SceneReference(history[0].SceneId, history[0].AcquiredAt),
                History = history,
            });
        }

        return tracked;
    }

    /// <summary>The word a sighting outcome is written as in reports.</summary>
    public static string OutcomeWord(SightingOutcome outcome) => outcome switch
    {
        SightingOutcome.Flagged => "flagged",
        SightingOutcome.NotFlagged => "not-flagged",
        SightingOutcome.NotAssessable => "not-assessable",
        SightingOutcome.Merged => "merged",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown outcome."),
    };

    private async Task ApplyAsync(SceneTracking tracking, IReadOnlyList<StoredSiteTrack> stored, CancellationToken cancellationToken)
    {
        var current = stored.ToDictionary(s => s.Track.Id, StringComparer.Ordinal);
        foreach (var update in tracking.Updates)
        {
            await catalog.SaveSightingAsync(tracking.Aoi, update.TrackId, update.Sighting, cancellationToken).ConfigureAwait(false);
            for (var attempt = 1; ; attempt++)
            {
                current.TryGetValue(update.TrackId, out var head);
                var next = head is null ? Start(tracking.Aoi, update) : head.Track.With(update);
                if (next == head?.Track
                    || await catalog.TrySaveSiteTrackAsync(next, head?.Version, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                if (attempt == MaxAttempts)
                {
                    throw new InvalidOperationException(
                        $"Track {update.TrackId} of {tracking.Aoi} kept changing while scene {tracking.SceneId} updated it; the message will be retried.");
                }

                logger.TrackConflict(update.TrackId, tracking.Aoi, tracking.SceneId.Value, attempt);
                current = (await catalog.GetSiteTracksAsync(tracking.Aoi, cancellationToken).ConfigureAwait(false))
                    .ToDictionary(s => s.Track.Id, StringComparer.Ordinal);
            }
        }
    }

    private static SiteTrack Start(string aoi, TrackUpdate update)
    {
        var s = update.Sighting;
        if (!update.Starts || s.GridBounds is not { } bounds)
        {
            throw new InvalidOperationException($"Track {update.TrackId} of {aoi} is not stored, and scene {s.SceneId} does not start it.");
        }

        return new SiteTrack
        {
            Aoi = aoi,
            Id = update.TrackId,
            FirstSceneId = s.SceneId,
            FirstSeenAt = s.AcquiredAt,
            Footprint = bounds,
            FootprintAt = s.AcquiredAt,
            LatestAt = s.AcquiredAt,
        };
    }

    private static SiteHistoryEntry Entry(SiteSighting s) => new(
        s.SceneId.Value, s.AcquiredAt, OutcomeWord(s.Outcome), s.SiteId, s.Probability, s.ChangeType, s.ChangedPixels, s.AreaSquareMetres,
        s.Objects, s.Status, s.Note);
}
