using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Messages;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Ports;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Reporting.Json;

namespace ChangeWatch.Reporting.Review;

/// <summary>
/// The analyst's side of a report: records a verdict on a site (Table <c>reviews</c>), appends <c>reviewed</c> to the
/// scene's custody, and re-renders <c>report.json</c>, <c>report.html</c> and <c>sites.geojson</c> in place with every
/// verdict recorded so far (the images are reused as written). Site status becomes the verdict; report status follows
/// <see cref="ReportStatus.FromSites"/>. A site is named by its report id ("S1") or its track id; a tracked site's history
/// entry for the scene (Table <c>sites</c>) takes the verdict as its status too, so later reports show it. A report of an
/// earlier schema is read and rewritten as the current schema.
/// Re-rendering depends only on the stored report, the reviews and the custody table, so running it twice gives the
/// same files. After re-rendering it sends <c>reports-ready</c> again (<see cref="ReportReadyMessage"/>, same version,
/// the new status) so that downstream consumers learn of the verdict.
/// <para>
/// A repeated identical review (same verdict, analyst and note as the site's stored verdict) records nothing new: the
/// stored verdict keeps its time, custody gains no entry, the files are rewritten with the same bytes, and the same
/// message is sent again. So repeating a review that stopped halfway (say after the files, before the message) finishes
/// it; consumers of <c>reports-ready</c> see at-least-once delivery anyway.
/// </para>
/// </summary>
/// <param name="blobs">Storage holding <c>reports/</c>.</param>
/// <param name="catalog">Scenes, reviews and custody.</param>
/// <param name="queue">Where <c>reports-ready</c> is sent.</param>
/// <param name="time">Clock for the verdict's time.</param>
public sealed class ReportReviewer(IBlobStore blobs, ICatalog catalog, IMessageQueue queue, TimeProvider time)
{
    private readonly ReportRenderer _renderer = new();

    /// <summary>
    /// Records <paramref name="verdict"/> on site <paramref name="siteId"/> (report id or track id) of scene
    /// <paramref name="sceneId"/>'s report, re-renders it and announces it on <c>reports-ready</c>. Returns the
    /// re-rendered report.
    /// </summary>
    /// <exception cref="ReviewException">No such scene, report or site, or an empty analyst name.</exception>
    public async Task<ReportModel> ReviewAsync(
        SceneId sceneId, string siteId, ReviewVerdict verdict, string analyst, string? note, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(analyst))
        {
            throw new ReviewException("An analyst name is required.");
        }

        var scene = await catalog.GetSceneAsync(sceneId, cancellationToken).ConfigureAwait(false)
            ?? throw new ReviewException($"Scene {sceneId} is not in the catalog.");
        var report = await ReadAsync(scene, cancellationToken).ConfigureAwait(false)
            ?? throw new ReviewException($"Scene {sceneId} has no report yet.");
        var site = report.Sites.FirstOrDefault(s =>
                string.Equals(s.Id, siteId, StringComparison.OrdinalIgnoreCase) || string.Equals(s.TrackId, siteId, StringComparison.OrdinalIgnoreCase))
            ?? throw new ReviewException(report.Sites.Count == 0
                ? $"The report of scene {sceneId} has no sites."
                : $"The report of scene {sceneId} has no site {siteId}; its sites are "
                  + string.Join(", ", report.Sites.Select(s => s.TrackId is null ? s.Id : $"{s.Id} (track {s.TrackId})")) + ".");

        analyst = analyst.Trim();
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        var stored = (await catalog.GetReviewsAsync(sceneId, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(r => string.Equals(r.SiteId, site.Id, StringComparison.Ordinal));
        var repeated = stored is not null && stored.Verdict == verdict && stored.Analyst == analyst && stored.Note == note;
        var review = repeated ? stored! : new SiteReview
        {
            SceneId = sceneId,
            Aoi = scene.Aoi,
            SiteId = site.Id,
            Verdict = verdict,
            Analyst = analyst,
            Note = note,
            At = time.GetUtcNow(),
            BaselineId = scene.BaselineId,
            Tiles = site.Tiles,
            SceneBounds = site.SceneBounds,
            GridBounds = site.GridBounds,
            Probability = site.Probability,
            ChangeType = site.ChangeType,
            ModelVersion = report.ModelVersion,
            ModelSha256 = report.ModelSha256,
            Objects = site.Objects,
        };
        if (!repeated)
        {
            await catalog.SaveReviewAsync(review, cancellationToken).ConfigureAwait(false);
        }

        if (site.TrackId is { } trackId
            && (await catalog.GetSightingsAsync(scene.Aoi, trackId, cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(s => s.SceneId == sceneId) is { } sighting)
        {
            await catalog.SaveSightingAsync(scene.Aoi, trackId, sighting with { Status = VerdictWord(verdict) }, cancellationToken).ConfigureAwait(false);
        }

        // Keyed by the verdict's time: a repeated review appends nothing, or restores the entry a halted one left out.
        await catalog.AppendCustodyAsync(new CustodyEvent(sceneId, CustodyKeys.Reviewed, $"analyst:{review.Analyst}", review.At,
            $"site {site.Id} {VerdictWord(verdict)}" + (review.Note is null ? string.Empty : $"; note: {review.Note}")), cancellationToken).ConfigureAwait(false);
        var rendered = await RerenderAsync(scene, report, cancellationToken).ConfigureAwait(false);
        await queue.SendAsync(StorageNames.ReportsReadyQueue, ReportReadyMessage.For(rendered), cancellationToken).ConfigureAwait(false);
        return rendered;
    }

    /// <summary>The stored report of <paramref name="scene"/>, or null when none is written.</summary>
    public async Task<ReportModel?> ReadAsync(SceneRecord scene, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scene);
        var json = await ReadBytesAsync(Folder(scene) + ReportPaths.Json, cancellationToken).ConfigureAwait(false);
        return json is null ? null : ReportJson.Deserialize(json);
    }

    /// <summary>The word a verdict is written as: "confirmed", "rejected", "uncertain".</summary>
    public static string VerdictWord(ReviewVerdict verdict) => verdict switch
    {
        ReviewVerdict.Confirmed => "confirmed",
        ReviewVerdict.Rejected => "rejected",
        ReviewVerdict.Uncertain => "uncertain",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "Unknown verdict."),
    };

    private async Task<ReportModel> RerenderAsync(SceneRecord scene, ReportModel stored, CancellationToken cancellationToken)
    {
        var reviews = (await catalog.GetReviewsAsync(scene.Id, cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => r.SiteId, StringComparer.Ordinal);
        var sites = stored.Sites.Select(site => reviews.TryGetValue(site.Id, out var r)
                ? WithStatus(site, scene, VerdictWord(r.Verdict)) with { Review = new SiteReviewEntry(VerdictWord(r.Verdict), r.Analyst, r.At, r.Note) }
                : WithStatus(site, scene, ReportStatus.Candidate) with { Review = null })
            .ToList();
        var custody = await catalog.GetCustodyAsync(scene.Id, cancellationToken).ConfigureAwait(false);
        var report = stored with
        {
            SchemaVersion = ReportModel.CurrentSchemaVersion,
            Sites = sites,
            Status = ReportStatus.FromSites(sites),
            Custody = [.. custody.Select(c => new CustodyEntry(c.Step, c.Actor, c.At, c.Detail))],
        };

        var folder = Folder(scene);
        var overview = await ReadBytesAsync(folder + ReportPaths.Overview, cancellationToken).ConfigureAwait(false);
        var chips = new Dictionary<string, EncodedChips>(StringComparer.Ordinal);
        foreach (var site in sites)
        {
            var before = await ReadBytesAsync(folder + (site.BeforeChip ?? ReportPaths.BeforeChip(site.Id)), cancellationToken).ConfigureAwait(false);
            var after = await ReadBytesAsync(folder + (site.AfterChip ?? ReportPaths.AfterChip(site.Id)), cancellationToken).ConfigureAwait(false);
            if (before is not null && after is not null)
            {
                chips[site.Id] = new EncodedChips(before, after);
            }
        }

        foreach (var file in _renderer.RenderDocuments(report, new EncodedReportImages(overview, chips)))
        {
            using var content = new MemoryStream(file.Content.ToArray(), writable: false);
            await blobs.WriteAsync(StorageNames.ReportsContainer, folder + file.RelativePath, content, file.ContentType, cancellationToken)
                .ConfigureAwait(false);
        }

        return report;
    }

    private static string Folder(SceneRecord scene) => $"{scene.Aoi}/{scene.Id}/";

    // The site's status, and its history entry for this scene, which is the same fact.
    private static SiteModel WithStatus(SiteModel site, SceneRecord scene, string status) => site with
    {
        Status = status,
        History = [.. site.History.Select(e => e.SceneId == scene.Id.Value && e.SiteId == site.Id ? e with { Status = status } : e)],
    };

    private Task<byte[]?> ReadBytesAsync(string name, CancellationToken cancellationToken) =>
        blobs.ReadAllBytesAsync(StorageNames.ReportsContainer, name, cancellationToken);
}
