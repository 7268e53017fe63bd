using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Messages;
using ChangeWatch.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// Second stage, on <c>scene-ingest</c>: hashes the upload (scene id from content), reads its header and georeferencing,
/// catalogs it, picks its baseline, places it on the AOI grid, writes its tiles and enqueues tile batches (or, for an AOI's
/// first scene, announces a baseline registration).
/// <para>
/// Georeferencing, first found: the file's own tags, the sidecar's <c>bounds</c>, a world file beside the image (with the
/// sidecar's <c>epsg</c>). A band manifest (<see cref="BandManifest"/>) is ingested as one scene stacking its band files
/// (<see cref="BandStackSource"/>), identified by the hash of the manifest and of every band file.
/// </para>
/// <para>
/// Idempotent: an upload already ingested (or a second upload of the same bytes under another name) changes nothing; a
/// delivery that crashed before recording the scene <see cref="SceneStatus.Ingested"/> is redone from the start (tiles are
/// overwritten with the same content). The record is complete and <see cref="SceneStatus.Ingested"/> before the first
/// tile batch is sent, and nothing of the ingest writes it afterwards, so a scene scored and reported quickly is never
/// set back (the catalog never lowers a status either). Tile batches are enqueued once: under the scene's leased
/// <see cref="SceneSteps.TileBatches"/> claim, so a second delivery of the upload running at the same time (a reconcile, a
/// duplicate event) stops (step done, also when the holder finishes within <see cref="PipelineOptions.ClaimWaitSeconds"/>) or
/// fails to be retried (claim still held); a delivery that finds the scene ingested but
/// the step not done (the ingesting one failed or died while sending) sends the batches from the scene's record once the
/// claim is free or lapsed. Only a crash while sending sends some batches twice, which scoring and reporting absorb. Memory: the upload (each band file) is streamed to a temporary file;
/// tiles are read one window at a time into <see cref="TilesInFlight"/> + 1 reused sample buffers, with at most
/// <see cref="TilesInFlight"/> tiles encoding and uploading at once; the scene's per-band statistics
/// (<see cref="SceneRecord.Statistics"/>) are sampled from the tiles as they are read (<see cref="SceneStatisticsSampler"/>:
/// at most about 65 536 pixels, 4 bytes a band each). With a baseline, the pair's raster-level values
/// (<see cref="SceneRecord.PairRaster"/>) are then sampled from at most <see cref="PairRasterTiles.Limit"/> of its tile pairs,
/// read back from the tile store, before the record is saved.
/// </para>
/// </summary>
public sealed class IngestSceneHandler(
    IBlobStore blobs,
    IMessageQueue queue,
    ICatalog catalog,
    IRasterDecoder decoder,
    TileStore tiles,
    IChangeScorer scorer,
    SidecarReader sidecars,
    RejectionRecorder rejections,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<IngestSceneHandler> logger)
{
    private const string Stage = "IngestScene";

    /// <summary>Tiles encoded and uploading at once.</summary>
    public const int TilesInFlight = 4;

    private static readonly string Actor = $"IngestScene@{Environment.MachineName}";

    /// <summary>Handles one <see cref="SceneIngestMessage"/> (JSON text).</summary>
    public async Task HandleAsync(string message, CancellationToken cancellationToken)
    {
        SceneIngestMessage request;
        try
        {
            request = PipelineJson.ParseMessage<SceneIngestMessage>(message, SceneIngestMessage.CurrentVersion, m => m.Version);
        }
        catch (RejectedInputException ex)
        {
            await rejections.RejectMessageAsync(Stage, StorageNames.SceneIngestQueue, message, ex, cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await IngestAsync(BlobPath.Parse(request.BlobName), cancellationToken).ConfigureAwait(false);
        }
        catch (RejectedInputException ex)
        {
            await rejections.RejectUploadAsync(Stage, request.BlobName, ex, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task IngestAsync(BlobPath path, CancellationToken cancellationToken)
    {
        if (path.IsSidecar)
        {
            return;
        }

        var known = await catalog.GetUploadAsync(path.Name, cancellationToken).ConfigureAwait(false);
        if (known is { } knownId && await catalog.GetSceneAsync(knownId, cancellationToken).ConfigureAwait(false) is { Status: not SceneStatus.Ingesting } done)
        {
            await FinishOrStopAsync(path.Name, done, cancellationToken).ConfigureAwait(false);
            return;
        }

        var info = await blobs.GetInfoAsync(StorageNames.IncomingContainer, path.Name, cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            return; // removed by the provider; reconciliation will not bring it back
        }

        var settings = options.Value;
        SceneUploadedHandler.CheckSize(info.Length, settings.MaxUploadBytes);
        if (path.IsBandManifest)
        {
            await IngestBandManifestAsync(path, info, cancellationToken).ConfigureAwait(false);
            return;
        }

        var blob = await blobs.OpenReadAsync(StorageNames.IncomingContainer, path.Name, cancellationToken).ConfigureAwait(false);
        if (blob is null)
        {
            return;
        }

        FileStream file;
        string sha256;
        long length;
        await using (blob.ConfigureAwait(false))
        {
            (file, sha256, length) = await HashingDownload.ToTempFileAsync(blob, cancellationToken).ConfigureAwait(false);
        }

        await using (file.ConfigureAwait(false))
        {
            SceneUploadedHandler.CheckSize(length, settings.MaxUploadBytes);
            var sceneId = SceneId.FromSha256(sha256);
            var header = new byte[RasterFormatSniffer.HeaderLength];
            var headerLength = await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            var format = RasterFormatSniffer.Detect(header.AsSpan(0, headerLength));
            if (format == RasterFormat.Unknown)
            {
                throw new RejectedInputException(RejectionCode.UnsupportedFormat, "The file is not PNG, JPEG, BMP or TIFF/GeoTIFF.");
            }

            var sidecar = await sidecars.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (sidecar is null && RasterFormatSniffer.NeedsSidecar(format))
            {
                throw new RejectedInputException(RejectionCode.MissingSidecar,
                    $"{format} files carry no acquisition time or georeferencing: upload '{path.FileName}.json' beside the image first.");
            }

            var limits = new DecodeLimits { MaxPixels = settings.MaxPixels, MaxBands = settings.MaxBands };
            using var source = decoder.Open(file, format, limits);
            GeoReference? worldFileGeo = null;
            if (source.Info.GeoReference is null && sidecar?.Bounds is null
                && await sidecars.ReadWorldFileAsync(path, cancellationToken).ConfigureAwait(false) is { } world)
            {
                worldFileGeo = sidecar?.Epsg is { } epsg
                    ? new GeoReference(epsg, world)
                    : throw new RejectedInputException(RejectionCode.InvalidSidecar,
                        $"A world file georeferences '{path.FileName}' but names no coordinate system: give 'epsg' in '{path.FileName}.json'.");
            }

            await IngestDecodedAsync(path, info, sceneId, sha256, length, source, sidecar, worldFileGeo, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A band-per-file scene: reads the manifest, downloads every band file to a temporary file, opens each and stacks
    /// them (<see cref="BandStackSource"/>) as one scene whose id hashes the manifest and the band files' hashes.
    /// </summary>
    private async Task IngestBandManifestAsync(BlobPath path, BlobInfo info, CancellationToken cancellationToken)
    {
        if (info.Length > BandManifest.MaxBytes)
        {
            throw new RejectedInputException(RejectionCode.InvalidSidecar, $"The band manifest is {info.Length} bytes; the limit is {BandManifest.MaxBytes}.");
        }

        var bytes = await blobs.ReadPrefixAsync(StorageNames.IncomingContainer, path.Name, BandManifest.MaxBytes, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return;
        }

        var settings = options.Value;
        var manifest = BandManifest.Parse(bytes, settings.MaxBands, json => SidecarReader.Parse(json));
        var limits = new DecodeLimits { MaxPixels = settings.MaxPixels, MaxBands = settings.MaxBands };
        var files = new List<FileStream>(manifest.Bands.Count);
        var sources = new List<IRasterSource>(manifest.Bands.Count);
        try
        {
            using var sceneHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sceneHash.AppendData(bytes);
            long length = bytes.Length;
            foreach (var band in manifest.Bands)
            {
                var name = BandManifest.BandBlobName(path, band);
                var bandInfo = await blobs.GetInfoAsync(StorageNames.IncomingContainer, name, cancellationToken).ConfigureAwait(false);
                var blob = bandInfo is null ? null : await blobs.OpenReadAsync(StorageNames.IncomingContainer, name, cancellationToken).ConfigureAwait(false);
                if (blob is null)
                {
                    throw new RejectedInputException(RejectionCode.MissingSidecar,
                        $"The band manifest lists '{band}' but incoming/{name} does not exist: upload the band files before the manifest.");
                }

                SceneUploadedHandler.CheckSize(bandInfo!.Length, settings.MaxUploadBytes);
                FileStream file;
                string sha256;
                await using (blob.ConfigureAwait(false))
                {
                    (file, sha256, var bandLength) = await HashingDownload.ToTempFileAsync(blob, cancellationToken).ConfigureAwait(false);
                    length += bandLength;
                }

                files.Add(file);
                sceneHash.AppendData(Encoding.ASCII.GetBytes(sha256));
                var header = new byte[RasterFormatSniffer.HeaderLength];
                var headerLength = await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                file.Position = 0;
                var format = RasterFormatSniffer.Detect(header.AsSpan(0, headerLength));
                if (format == RasterFormat.Unknown)
                {
                    throw new RejectedInputException(RejectionCode.UnsupportedFormat, $"Band file '{band}' is not PNG, JPEG, BMP or TIFF/GeoTIFF.");
                }

                sources.Add(decoder.Open(file, format, limits));
            }

            var stack = BandStackSource.Create(sources); // not disposed: that would only dispose the sources, as the finally does
            if (stack.Info.BandCount > settings.MaxBands)
            {
                throw new RejectedInputException(RejectionCode.TooManyPixels,
                    $"The band files hold {stack.Info.BandCount} bands together; at most {settings.MaxBands} are accepted.");
            }

            var sha = Convert.ToHexStringLower(sceneHash.GetHashAndReset());
            await IngestDecodedAsync(path, info, SceneId.FromSha256(sha), sha, length, stack, manifest.Metadata, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            sources.ForEach(s => s.Dispose());
            foreach (var file in files)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task IngestDecodedAsync(
        BlobPath path, BlobInfo info, SceneId sceneId, string sha256, long length, IRasterSource source, SceneMetadata? sidecar,
        GeoReference? worldFileGeo, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var raster = source.Info;
        var geo = raster.GeoReference ?? sidecar?.Bounds?.ToGeoReference(raster.Width, raster.Height) ?? worldFileGeo;
        var metadata = (sidecar ?? new SceneMetadata { AcquiredAt = info.LastModified }) is var m && m.GroundSampleDistance is null
            ? m with { GroundSampleDistance = GroundSampleDistance.FromGeoReference(geo, raster.Height) }
            : m;

        await catalog.RecordUploadAsync(path.Name, sceneId, cancellationToken).ConfigureAwait(false);
        var claimed = await catalog.ClaimSceneAsync(new SceneRecord
        {
            Id = sceneId,
            Aoi = path.Aoi,
            Sha256 = sha256,
            BlobName = path.Name,
            Length = length,
            Width = raster.Width,
            Height = raster.Height,
            BandCount = raster.BandCount,
            Format = raster.Format,
            GeoReference = geo,
            Metadata = metadata,
            AcquisitionTimeAssumed = sidecar is null,
            Status = SceneStatus.Ingesting,
            ReceivedAt = info.LastModified,
        }, cancellationToken).ConfigureAwait(false);

        if (claimed.BlobName != path.Name)
        {
            logger.DuplicateUpload(path.Name, sceneId.Value, claimed.BlobName);
            return; // the same bytes were uploaded before under another name: one scene
        }

        if (claimed.Status != SceneStatus.Ingesting)
        {
            await FinishOrStopAsync(path.Name, claimed, cancellationToken).ConfigureAwait(false);
            return;
        }

        await AppendCustodyAsync(sceneId, "received", $"incoming/{path.Name}, {length} bytes, received {info.LastModified:O}", cancellationToken).ConfigureAwait(false);
        await AppendCustodyAsync(sceneId, "hashed", $"sha256 {sha256}", cancellationToken).ConfigureAwait(false);

        var grid = await catalog.GetOrAddGridAsync(
            new AoiGrid(path.Aoi, settings.TileSize, settings.TileOverlap, geo, raster.Width, raster.Height), cancellationToken).ConfigureAwait(false);
        var placement = grid.Place(raster.Width, raster.Height, geo);
        var baseline = await ChooseBaselineAsync(claimed, cancellationToken).ConfigureAwait(false);
        if (baseline is not null && baseline.BandCount != raster.BandCount)
        {
            throw new RejectedInputException(RejectionCode.BandMismatch,
                $"The scene has {raster.BandCount} bands but its baseline {baseline.Id} has {baseline.BandCount}.");
        }

        var tileIds = grid.TilesCovering(placement);
        using var onGrid = placement.Resampled ? new GridResampledSource(source, geo!, grid, placement) : null; // other pixel size: bilinear
        var statistics = await WriteTilesAsync(grid, placement, sceneId, onGrid ?? source, tileIds, cancellationToken).ConfigureAwait(false);
        var pairRaster = baseline is null ? null
            : await SamplePairRasterAsync(grid, sceneId, baseline, new ScenePairStatistics(baseline.Statistics, statistics), tileIds, cancellationToken).ConfigureAwait(false);

        var batches = baseline is null ? [] : tileIds.Chunk(settings.BatchSize).ToArray();
        var claimant = SceneSteps.NewClaimant(Actor);
        if (!await ClaimTileBatchesAsync(sceneId, claimant, cancellationToken).ConfigureAwait(false))
        {
            return; // another delivery of this upload (or of its copy) ingested it meanwhile: its batches are on their way
        }

        var scene = claimed with
        {
            Placement = placement,
            BaselineId = baseline?.Id,
            TileCount = tileIds.Count,
            BatchCount = Math.Max(1, batches.Length),
            BatchSize = settings.BatchSize,
            Statistics = statistics,
            PairRaster = pairRaster,
            IngestedAt = time.GetUtcNow(),
            Status = SceneStatus.Ingested,
        };
        try
        {
            await AppendCustodyAsync(sceneId, "ingested",
                $"{raster.Width}x{raster.Height} px, {raster.BandCount} bands, {tileIds.Count} tiles, baseline {baseline?.Id.Value ?? "none"}", cancellationToken).ConfigureAwait(false);

            // Recorded before any batch is sent: once one is out, the scene may be scored and reported at any moment, and
            // nothing of this delivery may write the scene after that. A failure or crash from here on leaves the scene
            // Ingested with its batches step not done: the next delivery sends them from this record (FinishOrStopAsync).
            if (!await catalog.SaveSceneAsync(scene, cancellationToken).ConfigureAwait(false))
            {
                // Already further along (reported): its batches went out with an earlier ingest of it.
                logger.StatusNotLowered(sceneId.Value, scene.Status.ToString());
                await catalog.CompleteStepAsync(sceneId, SceneSteps.TileBatches, claimant, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        catch (Exception)
        {
            await catalog.ReleaseStepAsync(sceneId, SceneSteps.TileBatches, claimant, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await SendTileBatchesAsync(scene, batches, claimant, cancellationToken).ConfigureAwait(false);
        logger.SceneIngested(sceneId.Value, path.Aoi, raster.Width, raster.Height, tileIds.Count, baseline?.Id.Value ?? "none");
    }

    /// <summary>
    /// For a scene already past <see cref="SceneStatus.Ingesting"/>: stops when its tile batches were all sent (its
    /// <see cref="SceneSteps.TileBatches"/> step is done, it is reported, or it was ingested before steps were recorded);
    /// otherwise, the delivery that ingested it having failed or died while sending, sends them from its record under the
    /// step's claim (fails, to be retried, while another delivery still holds the claim after the wait).
    /// </summary>
    private async Task FinishOrStopAsync(string blobName, SceneRecord scene, CancellationToken cancellationToken)
    {
        var step = scene.Status == SceneStatus.Reported
            ? null
            : await catalog.GetStepAsync(scene.Id, SceneSteps.TileBatches, cancellationToken).ConfigureAwait(false);
        if (step is null or { Done: true })
        {
            // No claim on an Ingested scene: ingested before tile batches were claimed, when Ingested was saved after sending.
            logger.AlreadyIngested(blobName, scene.Id.Value, scene.Status.ToString());
            return;
        }

        var claimant = SceneSteps.NewClaimant(Actor);
        if (!await ClaimTileBatchesAsync(scene.Id, claimant, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        TileId[][] batches;
        try
        {
            batches = await BatchesOfAsync(scene, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await catalog.ReleaseStepAsync(scene.Id, SceneSteps.TileBatches, claimant, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        logger.BatchesResumed(scene.Id.Value, scene.Aoi, Math.Max(1, batches.Length));
        await SendTileBatchesAsync(scene, batches, claimant, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The tile batches of an ingested scene, rebuilt from its record: its tiles on the AOI grid in the same order, cut into
    /// batches of the <see cref="SceneRecord.BatchSize"/> recorded at ingest, so every batch holds the tiles it held when
    /// first sent (a batch already scored under its index must not leave a tile out of the others). Scenes ingested before
    /// the size was recorded: the current <see cref="PipelineOptions.BatchSize"/> when it gives the recorded
    /// <see cref="SceneRecord.BatchCount"/>, else as evenly as that count allows. None for an AOI's first scene.
    /// </summary>
    private async Task<TileId[][]> BatchesOfAsync(SceneRecord scene, CancellationToken cancellationToken)
    {
        if (scene.BaselineId is null)
        {
            return [];
        }

        var grid = await catalog.GetGridAsync(scene.Aoi, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"AOI {scene.Aoi} has no grid.");
        var placement = scene.Placement ?? throw new InvalidOperationException($"Scene {scene.Id} is ingested but has no grid placement.");
        var tileIds = grid.TilesCovering(placement);
        if (scene.BatchSize is { } recorded and > 0)
        {
            return tileIds.Chunk(recorded).ToArray();
        }

        var size = options.Value.BatchSize;
        if ((tileIds.Count + size - 1) / size != scene.BatchCount)
        {
            size = Math.Max(1, (tileIds.Count + scene.BatchCount - 1) / scene.BatchCount); // gives BatchCount batches again
        }

        return tileIds.Chunk(size).ToArray();
    }

    /// <summary>
    /// Claims the scene's <see cref="SceneSteps.TileBatches"/> step for <paramref name="claimant"/>, waiting up to
    /// <see cref="PipelineOptions.ClaimWaitSeconds"/> while another live delivery holds it (<see cref="StepClaimWait"/>).
    /// Returns false when the step is done; throws (the message is retried) while another delivery still holds it.
    /// </summary>
    private async Task<bool> ClaimTileBatchesAsync(SceneId sceneId, string claimant, CancellationToken cancellationToken)
    {
        var claim = await StepClaimWait.ClaimAsync(
            catalog, time, sceneId, SceneSteps.TileBatches, claimant, TimeSpan.FromSeconds(options.Value.ClaimLeaseSeconds),
            TimeSpan.FromSeconds(options.Value.ClaimWaitSeconds), cancellationToken).ConfigureAwait(false);
        if (claim.Done)
        {
            logger.StepDoneElsewhere(SceneSteps.TileBatches, sceneId.Value, claim.Claimant);
            return false;
        }

        return claim.IsHeldBy(claimant)
            ? true
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Scene {sceneId}'s tile batches are being enqueued by {claim.Claimant} (lease until {claim.LeaseUntil:O}); the message will be retried."));
    }

    /// <summary>
    /// Sends the scene's tile batches (or, for an AOI's first scene, its baseline registration) and records its
    /// <see cref="SceneSteps.TileBatches"/> step done. Writes nothing to the scene record: by the first send it is complete,
    /// and the scene may be reported before this returns. A failure keeps the claim (some batches may be out), so only its
    /// lapse lets another delivery send them again.
    /// </summary>
    private async Task SendTileBatchesAsync(SceneRecord scene, TileId[][] batches, string claimant, CancellationToken cancellationToken)
    {
        if (scene.BaselineId is not { } baselineId)
        {
            // An AOI's first scene: nothing to compare with; BuildReport registers it as the baseline.
            await queue.SendAsync(StorageNames.ChangeFlagsQueue,
                new ChangeFlagsMessage(ChangeFlagsMessage.CurrentVersion, scene.Id.Value, scene.Aoi, 0, 1, [], 0), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            for (var i = 0; i < batches.Length; i++)
            {
                await queue.SendAsync(StorageNames.TileBatchesQueue, new TileBatchMessage(
                    TileBatchMessage.CurrentVersion, scene.Id.Value, scene.Aoi, baselineId.Value, i, batches.Length,
                    [.. batches[i].Select(t => t.ToString())]), cancellationToken).ConfigureAwait(false);
            }
        }

        await catalog.CompleteStepAsync(scene.Id, SceneSteps.TileBatches, claimant, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The latest ingested scene of the same AOI acquired before this one.</summary>
    private async Task<SceneRecord?> ChooseBaselineAsync(SceneRecord scene, CancellationToken cancellationToken)
    {
        var scenes = await catalog.ListScenesAsync(scene.Aoi, cancellationToken).ConfigureAwait(false);
        return scenes
            .Where(s => s.Id != scene.Id && s.Status != SceneStatus.Ingesting && s.Metadata.AcquiredAt < scene.Metadata.AcquiredAt)
            .OrderByDescending(s => s.Metadata.AcquiredAt)
            .ThenBy(s => s.Id.Value, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    /// <summary>Writes the scene's tiles and returns its statistics, sampled from the tiles' cores as they are read.</summary>
    private async Task<SceneStatistics?> WriteTilesAsync(
        AoiGrid grid, ScenePlacement placement, SceneId sceneId, IRasterSource source, IReadOnlyList<TileId> tileIds, CancellationToken cancellationToken)
    {
        var bands = source.Info.BandCount;
        var sampler = new SceneStatisticsSampler(bands, placement.Width, placement.Height);
        var inFlight = new Dictionary<Task, float[]>(TilesInFlight);
        var free = new Stack<float[]>(TilesInFlight);
        foreach (var tile in tileIds)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (inFlight.Count == TilesInFlight)
            {
                var finished = await Task.WhenAny(inFlight.Keys).ConfigureAwait(false);
                free.Push(inFlight[finished]);
                inFlight.Remove(finished);
                await finished.ConfigureAwait(false);
            }

            // Every tile window is TileSize square, so the TilesInFlight + 1 sample buffers are reused for the whole scene.
            var window = grid.TileWindow(tile);
            var data = free.Count > 0 ? free.Pop() : new float[window.Width * window.Height * bands];
            var raster = new TileRaster(window.Width, window.Height, bands, data, grid.GeoReferenceAt(window.X, window.Y));
            source.ReadWindow(placement.ToScene(window), raster.Data); // the source reader is not thread-safe: read in order
            sampler.Add(raster, window, grid.CoreWindow(tile));
            inFlight.Add(Task.Run(() => tiles.WriteTileAsync(grid.Aoi, sceneId, tile, raster, cancellationToken), cancellationToken), data);
        }

        await Task.WhenAll(inFlight.Keys).ConfigureAwait(false);
        return sampler.Build();
    }

    /// <summary>
    /// The pixel model's raster-level values over the scene and its baseline (<see cref="SceneRecord.PairRaster"/>), from
    /// the scorer's sampler (<see cref="IChangeScorer.CreatePairRasterSampler"/>) fed the tile pairs
    /// <see cref="PairRasterTiles.Choose"/> picks (at most <see cref="PairRasterTiles.Limit"/>, read back from the tile
    /// store, <see cref="Environment.ProcessorCount"/> pairs at a time); null when the scorer has none to give. The same
    /// tiles give the same values, so a redelivered ingest records what the first did.
    /// </summary>
    private async Task<PairRasterValues?> SamplePairRasterAsync(
        AoiGrid grid, SceneId sceneId, SceneRecord baseline, ScenePairStatistics statistics, IReadOnlyList<TileId> tileIds, CancellationToken cancellationToken)
    {
        var chosen = PairRasterTiles.Choose(tileIds);
        var sampler = scorer.CreatePairRasterSampler(statistics, (long)chosen.Count * grid.Stride * grid.Stride);
        if (sampler is null)
        {
            return null;
        }

        await Parallel.ForEachAsync(chosen, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, async (tile, ct) =>
        {
            var after = await tiles.ReadTileAsync(grid.Aoi, sceneId, tile, ct).ConfigureAwait(false);
            var before = await tiles.ReadTileAsync(grid.Aoi, baseline.Id, tile, ct).ConfigureAwait(false);
            if (after is not null && before is not null && before.Width == after.Width && before.Height == after.Height && before.BandCount == after.BandCount)
            {
                sampler.Add(before, after, grid.TileWindow(tile), grid.CoreWindow(tile)); // where the baseline does not reach, nothing to sample
            }
        }).ConfigureAwait(false);
        return sampler.Build();
    }

    private Task AppendCustodyAsync(SceneId sceneId, string step, string detail, CancellationToken cancellationToken) =>
        catalog.AppendCustodyAsync(new CustodyEvent(sceneId, step, Actor, time.GetUtcNow(), detail), cancellationToken);
}
