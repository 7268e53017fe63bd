using System.Globalization;
using System.Reflection;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Messages;
using ChangeWatch.Core.Ports;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Core.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// Last stage, on <c>change-flags</c>: records each scored batch; when every batch of a scene is in, builds the scene's
/// report exactly once — sites from the flagged tiles, followed across the AOI's scenes (<see cref="SiteTracker"/>),
/// before/after chips, overview — writes <c>reports/{aoi}/{sceneId}/</c> and announces it on <c>reports-ready</c>.
/// <para>
/// Site tracks are extended in acquisition order: a scene whose baseline has no report yet (so its sites are not yet
/// tracked) fails and its message is retried later.
/// </para>
/// <para>
/// Exactly once: batch arrivals are idempotent rows; of the deliveries that see the last batch arrive, one holds the
/// report's leased claim (<see cref="SceneSteps.Report"/>, <see cref="PipelineOptions.ClaimLeaseSeconds"/>). The claimant
/// is the processing attempt, never the message content, so two copies of one change-flags message are two claimants.
/// The holder builds and writes the report, renews its claim (conditionally: it stops if another took it over), sends
/// <c>reports-ready</c> and records the step done. A delivery that finds the step done stops; one that finds the claim held
/// waits up to <see cref="PipelineOptions.ClaimWaitSeconds"/> for the holder (<see cref="StepClaimWait"/>: it stops when
/// the holder finishes meanwhile), then fails, so that its message is retried: by then the report is announced, or the holder died and its lease lapsed and the
/// retry takes over. A failure before sending releases the claim at once. Only a crash (or a stall longer than the lease)
/// between sending and recording can announce twice.
/// </para>
/// </summary>
public sealed class BuildReportHandler(
    IBlobStore blobs,
    IMessageQueue queue,
    ICatalog catalog,
    TileStore tiles,
    IChangeScorer scorer,
    IReportRenderer renderer,
    IGeoLocator geoLocator,
    RejectionRecorder rejections,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<BuildReportHandler> logger)
{
    private const string Stage = "BuildReport";
    private const int OverviewMaxSide = 1024;
    private const int ChipPadding = 24;
    private const int ChipMinSide = 96;
    private const int ChipMaxSide = 512;
    private const double MisregistrationCaveatPixels = 1.0;
    private const double MaskedCaveatFraction = 0.05;

    private static readonly string Actor = $"BuildReport@{Environment.MachineName}";

    /// <summary>ChangeWatch's version, written into every report.</summary>
    public static string CodeVersion { get; } =
        typeof(BuildReportHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Handles one <see cref="ChangeFlagsMessage"/> (JSON text).</summary>
    public async Task HandleAsync(string message, CancellationToken cancellationToken)
    {
        ChangeFlagsMessage flags;
        SceneId sceneId;
        try
        {
            flags = PipelineJson.ParseMessage<ChangeFlagsMessage>(message, ChangeFlagsMessage.CurrentVersion, m => m.Version);
            sceneId = SceneId.Parse(flags.SceneId);
            if (flags.BatchIndex < 0 || flags.BatchIndex >= flags.BatchCount)
            {
                throw new RejectedInputException(RejectionCode.InvalidMessage, $"Batch {flags.BatchIndex} of {flags.BatchCount} is out of range.");
            }
        }
        catch (RejectedInputException ex)
        {
            await rejections.RejectMessageAsync(Stage, StorageNames.ChangeFlagsQueue, message, ex, cancellationToken).ConfigureAwait(false);
            return;
        }

        var scene = await catalog.GetSceneAsync(sceneId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Scene {sceneId} is not in the catalog; the message will be retried.");
        await catalog.RecordBatchArrivalAsync(sceneId, flags.BatchIndex, cancellationToken).ConfigureAwait(false);
        var arrived = await catalog.CountBatchArrivalsAsync(sceneId, cancellationToken).ConfigureAwait(false);
        if (arrived < scene.BatchCount)
        {
            logger.ReportWaiting(sceneId.Value, arrived, scene.BatchCount);
            return;
        }

        var claimant = SceneSteps.NewClaimant(Actor);
        var claim = await StepClaimWait.ClaimAsync(
            catalog, time, sceneId, SceneSteps.Report, claimant, Lease, TimeSpan.FromSeconds(options.Value.ClaimWaitSeconds), cancellationToken).ConfigureAwait(false);

        if (claim.Done)
        {
            logger.StepDoneElsewhere(SceneSteps.Report, sceneId.Value, claim.Claimant);
            return;
        }

        if (!claim.IsHeldBy(claimant))
        {
            // Not a silent stop: if the holder died, this message must come back to take the claim over once it lapses.
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The report of scene {sceneId} is being built by {claim.Claimant} (lease until {claim.LeaseUntil:O}); the message will be retried."));
        }

        var sending = false;
        ReportModel model;
        try
        {
            var report = await BuildAsync(scene, cancellationToken).ConfigureAwait(false);
            model = report.Model;
            var folder = $"{scene.Aoi}/{sceneId}";
            foreach (var file in report.Files)
            {
                using var content = new MemoryStream(file.Content.ToArray(), writable: false);
                await blobs.WriteAsync(StorageNames.ReportsContainer, $"{folder}/{file.RelativePath}", content, file.ContentType, cancellationToken).ConfigureAwait(false);
            }

            await catalog.AppendCustodyAsync(new CustodyEvent(sceneId, "reported", Actor, time.GetUtcNow(),
                $"reports/{folder}/report.json, {model.Sites.Count} sites"), cancellationToken).ConfigureAwait(false);
            await catalog.SaveSceneAsync(scene with { Status = SceneStatus.Reported }, cancellationToken).ConfigureAwait(false);

            // Renewed just before sending, conditionally: if this attempt's lease ran out during the build and another took
            // the claim over, the other one announces; otherwise nobody can take it over while this one sends.
            var renewed = await catalog.ClaimStepAsync(sceneId, SceneSteps.Report, claimant, time.GetUtcNow(), Lease, cancellationToken).ConfigureAwait(false);
            if (!renewed.IsHeldBy(claimant))
            {
                logger.StepTakenOver(SceneSteps.Report, sceneId.Value, renewed.Claimant);
                return;
            }

            sending = true; // from here a failure may have sent: keep the claim, so only its lapse (a crash) allows a second send
            await queue.SendAsync(StorageNames.ReportsReadyQueue, ReportReadyMessage.For(model), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!sending)
        {
            await catalog.ReleaseStepAsync(sceneId, SceneSteps.Report, claimant, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await catalog.CompleteStepAsync(sceneId, SceneSteps.Report, claimant, cancellationToken).ConfigureAwait(false);
        logger.ReportWritten(sceneId.Value, scene.Aoi, model.Kind, model.Sites.Count);
    }

    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.ClaimLeaseSeconds);

    private async Task<(ReportModel Model, IReadOnlyList<ReportFile> Files)> BuildAsync(SceneRecord scene, CancellationToken cancellationToken)
    {
        var grid = await catalog.GetGridAsync(scene.Aoi, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"AOI {scene.Aoi} has no grid.");
        var placement = scene.Placement ?? throw new InvalidOperationException($"Scene {scene.Id} has no grid placement.");
        var baseline = scene.BaselineId is { } baselineId
            ? await catalog.GetSceneAsync(baselineId, cancellationToken).ConfigureAwait(false)
            : null;
        var results = baseline is null ? [] : await catalog.GetTileResultsAsync(scene.Id, cancellationToken).ConfigureAwait(false);

        if (baseline is not null)
        {
            await catalog.AppendCustodyAsync(new CustodyEvent(scene.Id, "scored", Actor, time.GetUtcNow(),
                $"{results.Count} tiles against baseline {baseline.Id}, model {scorer.Model.Version} sha256 {scorer.Model.Sha256}"), cancellationToken).ConfigureAwait(false);
        }

        var flagged = results.Where(r => r.Flagged && r.Assessable).ToList();
        var sites = baseline is null
            ? []
            : new SiteClusterer(geoLocator).Cluster(grid, placement,
                placement.Resampled ? grid.GeoReferenceAt(placement.OffsetX, placement.OffsetY) : scene.GeoReference, // tiles are in grid pixels
                placement.Resampled ? null : scene.Metadata.GroundSampleDistance, flagged);
        if (baseline is not null)
        {
            if (baseline.Status != SceneStatus.Reported)
            {
                throw new InvalidOperationException(
                    $"Scene {scene.Id} waits for the report of its baseline {baseline.Id}: site tracks are extended in acquisition order. The message will be retried.");
            }

            sites = await new SiteTracker(catalog, logger).TrackAsync(scene, grid, sites, results, cancellationToken).ConfigureAwait(false);
        }

        var after = new TileMosaic(tiles, grid, scene.Aoi, scene.Id);
        var (overview, scale) = await after.ReadOverviewAsync(placement, scene.BandCount, OverviewMaxSide, cancellationToken).ConfigureAwait(false);
        var chips = new Dictionary<string, SiteChips>(StringComparer.Ordinal);
        if (baseline is not null)
        {
            var before = new TileMosaic(tiles, grid, scene.Aoi, baseline.Id);
            foreach (var site in sites)
            {
                var window = ChipWindow(site.GridBounds);
                var siteTiles = site.Tiles.Select(TileId.Parse).ToArray();
                chips[site.Id] = new SiteChips(
                    await before.ReadWindowAsync(window, scene.BandCount, cancellationToken).ConfigureAwait(false),
                    await after.ReadWindowAsync(window, scene.BandCount, cancellationToken).ConfigureAwait(false),
                    await after.ReadMaskWindowAsync(window, siteTiles, cancellationToken).ConfigureAwait(false));
            }
        }

        var custody = await catalog.GetCustodyAsync(scene.Id, cancellationToken).ConfigureAwait(false);
        var reportedAt = time.GetUtcNow();
        var sceneGsd = GroundSampleDistance.FromGeoReference(grid.GeoReferenceAt(placement.OffsetX, placement.OffsetY), grid.TileSize);
        var model = new ReportModel
        {
            Kind = baseline is null ? ReportKinds.BaselineRegistered : ReportKinds.Change,
            Aoi = scene.Aoi,
            Scene = Summarise(scene),
            Baseline = baseline is null ? null : Summarise(baseline),
            ModelVersion = baseline is null ? null : scorer.Model.Version,
            ModelSha256 = baseline is null ? null : scorer.Model.Sha256,
            ModelThreshold = baseline is null ? null : scorer.ThresholdFor(sceneGsd),
            ModelThresholdAdaptive = baseline is null ? null : scorer.AdaptiveThresholdAt(sceneGsd),
            TypeModelVersion = baseline is null ? null : scorer.Model.TypeModelVersion,
            TypeModelSha256 = baseline is null ? null : scorer.Model.TypeModelSha256,
            ObjectModelVersion = baseline is null ? null : scorer.Model.ObjectModelVersion,
            ObjectModelSha256 = baseline is null ? null : scorer.Model.ObjectModelSha256,
            CodeVersion = CodeVersion,
            Tiles = new TileCounts(scene.TileCount, results.Count(r => r.Assessable), results.Count(r => !r.Assessable), flagged.Count),
            Sites = sites,
            Caveats = Caveats(scene, baseline, results, sites, scorer.Model),
            ReceivedAt = scene.ReceivedAt,
            ReportedAt = reportedAt,
            Custody = [.. custody.Select(c => new CustodyEntry(c.Step, c.Actor, c.At, c.Detail))],
            IngestedAt = scene.IngestedAt,
            ProcessingSeconds = Math.Max(0, (reportedAt - scene.ReceivedAt).TotalSeconds),
            Quality = baseline is null ? null : Quality(results),
            OverviewScale = scale,
        };
        return (model, renderer.Render(model, new ReportImagery(overview, scale, chips)));
    }

    private static PixelWindow ChipWindow(PixelWindow bounds)
    {
        var side = Math.Clamp(Math.Max(bounds.Width, bounds.Height) + 2 * ChipPadding, ChipMinSide, ChipMaxSide);
        var cx = bounds.X + bounds.Width / 2;
        var cy = bounds.Y + bounds.Height / 2;
        return new PixelWindow(cx - side / 2, cy - side / 2, side, side);
    }

    private static SceneSummary Summarise(SceneRecord s) => new(
        s.Id.Value, s.Sha256, s.BlobName, s.Metadata.AcquiredAt, s.AcquisitionTimeAssumed, s.Metadata.Provider, s.Metadata.Sensor,
        s.Metadata.GroundSampleDistance, s.Width, s.Height, s.BandCount, s.GeoReference?.Epsg);

    private static List<string> Caveats(SceneRecord scene, SceneRecord? baseline, IReadOnlyList<TileResult> results, IReadOnlyList<SiteModel> sites, ModelInfo model)
    {
        var caveats = new List<string>();
        if (scene.AcquisitionTimeAssumed)
        {
            caveats.Add("The scene's acquisition time was not given; the upload time is used instead.");
        }

        if (baseline is { AcquisitionTimeAssumed: true })
        {
            caveats.Add("The baseline's acquisition time was not given; the upload time is used instead.");
        }

        if (scene.GeoReference is null)
        {
            caveats.Add("The scene is not georeferenced: sites are located in pixels only, and its grid alignment with the baseline is assumed from equal image sizes.");
        }

        var notAssessable = results.Count(r => !r.Assessable);
        if (notAssessable > 0)
        {
            caveats.Add($"{notAssessable} of {results.Count} tiles were not assessable (too much of what they cover masked or without data in one of the dates, or too little of them inside the scene); no change there means nothing was seen, not that nothing changed.");
        }

        if (baseline is not null && Quality(results) is { } quality)
        {
            if (quality.MaxShift >= MisregistrationCaveatPixels)
            {
                caveats.Add(string.Create(CultureInfo.InvariantCulture,
                    $"The dates were misregistered by up to {quality.MaxShift:0.0} px (mean {quality.MeanShift:0.0} px); the shift was corrected per tile, but edges of buildings and roads can still read as change."));
            }

            if (quality.MeanMaskedFraction >= MaskedCaveatFraction)
            {
                caveats.Add(string.Create(CultureInfo.InvariantCulture,
                    $"On average {quality.MeanMaskedFraction * 100:0} % of each scored tile's imaged area was masked (no data, clouds or cloud shadow in either date) and not compared."));
            }

            caveats.AddRange(PreparationCaveats.Build(results));
            if (PreparationCaveats.ObjectEvidence(results) is { } evidence)
            {
                caveats.Add(evidence);
            }
        }

        if (baseline is not null)
        {
            if (ObjectCountsCaveat(results, sites) is { } counts)
            {
                caveats.Add(counts);
            }

            if (sites.Any(s => s.Objects is not null) && model.ObjectModelAccuracy is { Length: > 0 } accuracy)
            {
                caveats.Add($"Vehicle counts are estimates by {model.ObjectModelVersion ?? "the count model"}: {accuracy}");
            }

            caveats.Add("Sites are candidates found by an automated model; each needs an analyst's review before it is reported as fact.");
        }

        return caveats;
    }

    // Says where sites lack counts: not measured by the model at all, or only in some of a site's tiles (a site needs
    // counts in all its tiles). Counts matter only where there are sites, so a report without sites has no such caveat.
    private static string? ObjectCountsCaveat(IReadOnlyList<TileResult> results, IReadOnlyList<SiteModel> sites)
    {
        if (sites.Count == 0)
        {
            return null;
        }

        if (results.Where(r => r.Flagged && r.Assessable).All(r => r.Objects is null))
        {
            return "Object counts before/after were not measured by this model; sites give changed area instead.";
        }

        var unmeasured = sites.Count(s => s.Objects is null);
        return unmeasured == 0
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"Object counts were not measured in every tile of {unmeasured} of {sites.Count} sites; those sites give changed area only (a count over part of a site is not reported).");
    }

    private static QualitySummary? Quality(IReadOnlyList<TileResult> results)
    {
        if (results.Count == 0)
        {
            return null;
        }

        var shifts = results.Select(r => Math.Sqrt(r.ShiftX * r.ShiftX + r.ShiftY * r.ShiftY)).ToList();
        return new QualitySummary(shifts.Max(), shifts.Average(), results.Average(r => r.MaskedFraction),
            results.Count(r => !r.Assessable) / (double)results.Count);
    }
}

/// <summary>Report kinds.</summary>
public static class ReportKinds
{
    /// <summary>A scene compared with its baseline.</summary>
    public const string Change = "change";

    /// <summary>An AOI's first scene, registered as the baseline for later ones.</summary>
    public const string BaselineRegistered = "baseline-registered";
}
