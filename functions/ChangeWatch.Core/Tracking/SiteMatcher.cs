using System.Globalization;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Reporting;

namespace ChangeWatch.Core.Tracking;

/// <summary>
/// Matches a scene's sites to the site tracks of its AOI. Sites and track footprints are boxes on the AOI grid, which every
/// scene of the AOI shares, so a site lies on a track when the two boxes overlap or come within
/// <see cref="SiteClusterer.JoinDistance"/> pixels of each other (the gap that makes two changes one site).
/// <para>
/// Only open tracks (not merged) whose latest entry is from an earlier acquisition than the scene take part: a scene
/// processed after a later scene of its AOI cannot rewrite history that came after it, so its sites on such tracks start
/// new ones. The rules, each deterministic:
/// </para>
/// <list type="number">
/// <item><b>Continue.</b> Tracks are taken oldest first (first seen, then id); each takes, among the sites it touches that
/// no older track took, the one it overlaps most (then the nearest, then report order). One track per site, one site per
/// track.</item>
/// <item><b>Merge.</b> A track left over that touches a site taken by another track ends there: it gets a
/// <see cref="SightingOutcome.Merged"/> entry and is merged into the track of the site it overlaps most; that site's entry
/// notes "merged with" it. The older id thus survives a merge.</item>
/// <item><b>Split.</b> A site left over that touches a taken track starts a new track noted "split from" the track it
/// overlaps most; the part that overlaps the track most keeps the id.</item>
/// <item><b>New.</b> Any other site starts a new track, id <see cref="SiteTrack.MakeId"/> of the scene and the site.</item>
/// <item><b>Not flagged / not assessable.</b> Every other open earlier track gets an entry: not assessable when a tile whose
/// core meets its footprint is missing from the scene or not assessable, otherwise not flagged.</item>
/// </list>
/// The result depends only on the arguments, in any order of the track list.
/// </summary>
public static class SiteMatcher
{
    /// <summary>Matches <paramref name="sites"/> of scene <paramref name="sceneId"/> to <paramref name="tracks"/>.</summary>
    /// <param name="aoi">The AOI.</param>
    /// <param name="sceneId">The scene.</param>
    /// <param name="acquiredAt">Its acquisition time.</param>
    /// <param name="tracks">Every track of the AOI, as stored before this scene.</param>
    /// <param name="sites">The scene's sites, in report order (ids unique).</param>
    /// <param name="grid">The AOI grid.</param>
    /// <param name="results">The scene's tile results (to tell "not flagged" from "not assessable").</param>
    /// <exception cref="ArgumentException">Two sites share an id.</exception>
    public static SceneTracking Match(
        string aoi, SceneId sceneId, DateTimeOffset acquiredAt, IEnumerable<SiteTrack> tracks, IReadOnlyList<SiteModel> sites,
        AoiGrid grid, IReadOnlyList<TileResult> results)
    {
        ArgumentNullException.ThrowIfNull(tracks);
        ArgumentNullException.ThrowIfNull(sites);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(results);
        if (sites.Select(s => s.Id).Distinct(StringComparer.Ordinal).Count() != sites.Count)
        {
            throw new ArgumentException("Site ids must be unique.", nameof(sites));
        }

        var open = tracks
            .Where(t => t.MergedInto is null && t.LatestAt < acquiredAt)
            .OrderBy(t => t.FirstSeenAt)
            .ThenBy(t => t.Id, StringComparer.Ordinal)
            .ToList();

        // 1. Continue: oldest track first, each takes its best free site.
        var trackOfSite = new Dictionary<int, SiteTrack>();
        var siteOfTrack = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var track in open)
        {
            var best = BestSite(track.Footprint, sites, i => !trackOfSite.ContainsKey(i));
            if (best >= 0)
            {
                trackOfSite[best] = track;
                siteOfTrack[track.Id] = best;
            }
        }

        // 2. Merge: leftover tracks touching a taken site end in the track of the site they overlap most.
        var mergedInto = new Dictionary<int, List<string>>();
        var updates = new List<TrackUpdate>();
        var unmatched = new List<SiteTrack>();
        foreach (var track in open.Where(t => !siteOfTrack.ContainsKey(t.Id)))
        {
            var site = BestSite(track.Footprint, sites, trackOfSite.ContainsKey);
            if (site < 0)
            {
                unmatched.Add(track);
                continue;
            }

            var into = trackOfSite[site].Id;
            (mergedInto.TryGetValue(site, out var list) ? list : mergedInto[site] = []).Add(track.Id);
            updates.Add(new TrackUpdate(track.Id,
                Sighting(sceneId, acquiredAt, sites[site], SightingOutcome.Merged, $"merged into {into}"), Starts: false, MergedInto: into));
        }

        // 3 and 4. Sites: continue their track, or start one (noted as a split when they touch a taken track).
        for (var i = 0; i < sites.Count; i++)
        {
            if (trackOfSite.TryGetValue(i, out var track))
            {
                var note = mergedInto.TryGetValue(i, out var merged) ? "merged with " + string.Join(", ", merged) : null;
                updates.Add(new TrackUpdate(track.Id, Sighting(sceneId, acquiredAt, sites[i], SightingOutcome.Flagged, note), Starts: false, null));
                continue;
            }

            var from = open.Where(t => siteOfTrack.ContainsKey(t.Id) && Near(t.Footprint, sites[i].GridBounds))
                .OrderByDescending(t => Overlap(t.Footprint, sites[i].GridBounds))
                .ThenBy(t => Gap(t.Footprint, sites[i].GridBounds))
                .FirstOrDefault();
            updates.Add(new TrackUpdate(SiteTrack.MakeId(sceneId, sites[i].Id),
                Sighting(sceneId, acquiredAt, sites[i], SightingOutcome.Flagged, from is null ? null : $"split from {from.Id}"), Starts: true, null));
        }

        // 5. Open tracks no site lies on: what the scene could see of them.
        var byTile = results.GroupBy(r => r.Tile).ToDictionary(g => g.Key, g => g.First());
        foreach (var track in unmatched)
        {
            var (missing, total) = NotAssessableTiles(grid, track.Footprint, byTile);
            updates.Add(new TrackUpdate(track.Id, new SiteSighting
            {
                SceneId = sceneId,
                AcquiredAt = acquiredAt,
                Outcome = missing == 0 ? SightingOutcome.NotFlagged : SightingOutcome.NotAssessable,
                Note = missing == 0
                    ? null
                    : string.Create(CultureInfo.InvariantCulture, $"{missing} of {total} tiles over it were masked or outside the scene"),
            }, Starts: false, null));
        }

        return new SceneTracking
        {
            Aoi = aoi,
            SceneId = sceneId,
            AcquiredAt = acquiredAt,
            Updates = [.. updates.OrderBy(u => u.TrackId, StringComparer.Ordinal)],
        };
    }

    /// <summary>True when the boxes overlap or their gap is at most <see cref="SiteClusterer.JoinDistance"/> on both axes.</summary>
    public static bool Near(PixelWindow a, PixelWindow b) => Gap(a, b) <= SiteClusterer.JoinDistance;

    private static int BestSite(PixelWindow footprint, IReadOnlyList<SiteModel> sites, Func<int, bool> eligible)
    {
        int best = -1;
        long bestOverlap = -1;
        var bestGap = int.MaxValue;
        for (var i = 0; i < sites.Count; i++)
        {
            if (!eligible(i) || !Near(footprint, sites[i].GridBounds))
            {
                continue;
            }

            var overlap = Overlap(footprint, sites[i].GridBounds);
            var gap = Gap(footprint, sites[i].GridBounds);
            if (overlap > bestOverlap || (overlap == bestOverlap && gap < bestGap))
            {
                (best, bestOverlap, bestGap) = (i, overlap, gap);
            }
        }

        return best;
    }

    private static long Overlap(PixelWindow a, PixelWindow b) => a.Intersect(b).Area;

    // The larger of the horizontal and vertical gaps between the boxes; zero or negative when they meet.
    private static int Gap(PixelWindow a, PixelWindow b) => Math.Max(
        Math.Max(a.X, b.X) - Math.Min(a.X + a.Width, b.X + b.Width),
        Math.Max(a.Y, b.Y) - Math.Min(a.Y + a.Height, b.Y + b.Height));

    private static (int Missing, int Total) NotAssessableTiles(AoiGrid grid, PixelWindow footprint, Dictionary<TileId, TileResult> byTile)
    {
        var first = grid.TileAt(footprint.X, footprint.Y);
        var last = grid.TileAt(footprint.X + Math.Max(1, footprint.Width) - 1, footprint.Y + Math.Max(1, footprint.Height) - 1);
        int missing = 0, total = 0;
        for (var r = first.Row; r <= last.Row; r++)
        {
            for (var c = first.Col; c <= last.Col; c++)
            {
                total++;
                if (!byTile.TryGetValue(new TileId(r, c), out var result) || !result.Assessable)
                {
                    missing++;
                }
            }
        }

        return (missing, total);
    }

    private static SiteSighting Sighting(SceneId sceneId, DateTimeOffset acquiredAt, SiteModel site, SightingOutcome outcome, string? note) => new()
    {
        SceneId = sceneId,
        AcquiredAt = acquiredAt,
        Outcome = outcome,
        SiteId = site.Id,
        Probability = site.Probability,
        ChangeType = site.ChangeType,
        ChangedPixels = site.ChangedPixels,
        AreaSquareMetres = site.AreaSquareMetres,
        Objects = site.Objects,
        Status = site.Status,
        GridBounds = site.GridBounds,
        Note = note,
    };
}
