using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Messages;
using ChangeWatch.Core.Ports;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// Third stage, on <c>tile-batches</c>: scores each tile of the batch against the baseline's tile at the same grid place
/// (giving the scorer both scenes' statistics, <see cref="SceneRecord.Statistics"/>, and the pair's raster-level values,
/// <see cref="SceneRecord.PairRaster"/>, so every tile of the pair is scored with the same),
/// records every result in Table <c>tiles</c> (an upsert: a redelivered batch writes the same rows), stores the change mask
/// of flagged tiles, and sends the batch's flagged tiles on <c>change-flags</c>. A tile the baseline does not cover is
/// recorded as not assessable.
/// </summary>
public sealed class ScoreTilesHandler(
    IMessageQueue queue,
    ICatalog catalog,
    TileStore tiles,
    IChangeScorer scorer,
    RejectionRecorder rejections,
    ILogger<ScoreTilesHandler> logger)
{
    private const string Stage = "ScoreTiles";

    /// <summary>Handles one <see cref="TileBatchMessage"/> (JSON text).</summary>
    public async Task HandleAsync(string message, CancellationToken cancellationToken)
    {
        TileBatchMessage batch;
        SceneId sceneId, baselineId;
        TileId[] tileIds;
        try
        {
            batch = PipelineJson.ParseMessage<TileBatchMessage>(message, TileBatchMessage.CurrentVersion, m => m.Version);
            sceneId = SceneId.Parse(batch.SceneId);
            baselineId = SceneId.Parse(batch.BaselineId);
            AoiName.Require(batch.Aoi);
            tileIds = [.. (batch.Tiles ?? []).Select(TileId.Parse)];
        }
        catch (RejectedInputException ex)
        {
            await rejections.RejectMessageAsync(Stage, StorageNames.TileBatchesQueue, message, ex, cancellationToken).ConfigureAwait(false);
            return;
        }

        var grid = await catalog.GetGridAsync(batch.Aoi, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"AOI {batch.Aoi} has no grid although scene {sceneId} was ingested into it.");
        var scene = await catalog.GetSceneAsync(sceneId, cancellationToken).ConfigureAwait(false);
        var statistics = new ScenePairStatistics(
            (await catalog.GetSceneAsync(baselineId, cancellationToken).ConfigureAwait(false))?.Statistics,
            scene?.Statistics,
            scene?.BaselineId == baselineId ? scene.PairRaster : null);
        var results = new TileResult[tileIds.Length];
        await Parallel.ForAsync(0, tileIds.Length, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (i, ct) => results[i] = await ScoreTileAsync(grid, sceneId, baselineId, statistics, tileIds[i], ct).ConfigureAwait(false)).ConfigureAwait(false);

        var flagged = results.Where(r => r.Flagged).Select(r => r.Tile.ToString()).ToArray();
        var max = results.Length == 0 ? 0 : results.Max(r => r.Probability);
        await queue.SendAsync(StorageNames.ChangeFlagsQueue,
            new ChangeFlagsMessage(ChangeFlagsMessage.CurrentVersion, sceneId.Value, batch.Aoi, batch.BatchIndex, batch.BatchCount, flagged, max),
            cancellationToken).ConfigureAwait(false);
        logger.BatchScored(sceneId.Value, batch.BatchIndex, batch.BatchCount, results.Length, flagged.Length);
    }

    private async Task<TileResult> ScoreTileAsync(
        AoiGrid grid, SceneId sceneId, SceneId baselineId, ScenePairStatistics statistics, TileId tile, CancellationToken cancellationToken)
    {
        var aoi = grid.Aoi;
        var model = scorer.Model;
        var after = await tiles.ReadTileAsync(aoi, sceneId, tile, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Tile {tile} of scene {sceneId} is missing; ingest has not finished writing it.");
        var before = await tiles.ReadTileAsync(aoi, baselineId, tile, cancellationToken).ConfigureAwait(false);
        TileResult result;
        if (before is null || before.BandCount != after.BandCount || before.Width != after.Width || before.Height != after.Height)
        {
            result = new TileResult
            {
                SceneId = sceneId, Tile = tile, BaselineId = baselineId, Probability = 0, Flagged = false, Assessable = false,
                MaskedFraction = 1, ChangedFraction = 0, ModelVersion = model.Version, ModelSha256 = model.Sha256,
                TypeModelVersion = model.TypeModelVersion, TypeModelSha256 = model.TypeModelSha256,
            };
        }
        else
        {
            var assessment = scorer.Assess(before, after, statistics, cancellationToken);
            var core = CoreChange.Measure(assessment.ChangeMask, after.Width, after.Height, grid.Overlap / 2);
            var window = grid.TileWindow(tile);
            result = new TileResult
            {
                SceneId = sceneId,
                Tile = tile,
                BaselineId = baselineId,
                Probability = assessment.Probability,
                Flagged = assessment.Flagged,
                Assessable = assessment.Assessable,
                MaskedFraction = assessment.MaskedFraction,
                CoveredFraction = assessment.CoveredFraction,
                ChangedFraction = core.Fraction,
                ChangedPixels = core.Pixels,
                ChangeBounds = core.Bounds is { } b ? b with { X = b.X + window.X, Y = b.Y + window.Y } : null,
                ShiftX = assessment.ShiftX,
                ShiftY = assessment.ShiftY,
                CoRegistrationResidual = assessment.Registration?.Residual,
                RegistrationOutcome = assessment.Registration?.Outcome,
                CloudFraction = assessment.Masks?.CloudFraction,
                CloudShadowFraction = assessment.Masks?.CloudShadowFraction,
                HazeBefore = assessment.Masks?.HazeBefore,
                HazeAfter = assessment.Masks?.HazeAfter,
                ChangeType = assessment.ChangeType,
                Objects = assessment.Objects,
                FlaggedByObjectEvidence = assessment.FlaggedByObjectEvidence ? true : null,
                ModelVersion = model.Version,
                ModelSha256 = model.Sha256,

                // Object evidence sets the type itself (object build-up): no change-type model labelled the tile.
                TypeModelVersion = assessment.FlaggedByObjectEvidence ? null : model.TypeModelVersion,
                TypeModelSha256 = assessment.FlaggedByObjectEvidence ? null : model.TypeModelSha256,
                ObjectModelVersion = assessment.Objects is null ? null : model.ObjectModelVersion,
                ObjectModelSha256 = assessment.Objects is null ? null : model.ObjectModelSha256,
            };
            if (assessment.Flagged && assessment.ChangeMask is not null)
            {
                await tiles.WriteMaskAsync(aoi, sceneId, tile, assessment.ChangeMask, cancellationToken).ConfigureAwait(false);
            }
        }

        await catalog.SaveTileResultAsync(result, cancellationToken).ConfigureAwait(false);
        return result;
    }
}

/// <summary>Changed pixels of a tile mask inside the tile's core (the part the tile owns on the grid).</summary>
internal readonly record struct CoreChange(int Pixels, double Fraction, PixelWindow? Bounds)
{
    /// <summary>Counts mask pixels (1 = change) inside the core, which starts <paramref name="margin"/> pixels in from each edge.</summary>
    public static CoreChange Measure(byte[]? mask, int width, int height, int margin)
    {
        var coreWidth = width - 2 * margin;
        var coreHeight = height - 2 * margin;
        if (mask is null || coreWidth <= 0 || coreHeight <= 0)
        {
            return new CoreChange(0, 0, null);
        }

        int count = 0, minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (var y = margin; y < height - margin; y++)
        {
            var row = mask.AsSpan(y * width + margin, coreWidth);
            var first = row.IndexOfAnyExcept((byte)0);
            if (first < 0)
            {
                continue;
            }

            var last = row.LastIndexOfAnyExcept((byte)0);
            count += coreWidth - row.Count((byte)0);
            minX = Math.Min(minX, first + margin);
            maxX = Math.Max(maxX, last + margin);
            minY = Math.Min(minY, y);
            maxY = y;
        }

        return count == 0
            ? new CoreChange(0, 0, null)
            : new CoreChange(count, (double)count / (coreWidth * coreHeight), new PixelWindow(minX, minY, maxX - minX + 1, maxY - minY + 1));
    }
}
