using System.Buffers;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// Prepares a tile pair for the change features: co-registers the after tile to the before tile
/// (<see cref="TileCoRegistration"/>), then finds clouds, cloud shadows and haze in each date against the other
/// (<see cref="CloudMask"/>) and sets masked pixels to NaN in that date, so every feature and the change mask leave them
/// out and they count in the masked fraction. It also counts the pixels either date covers
/// (<see cref="PreparedTilePair.CoveredPixels"/>): a tile is judged on those. The caller's rasters are never modified;
/// new rasters are allocated only for what changed (an applied shift, a date with masked pixels). Scratch memory is
/// rented and returned. Thread-safe.
/// </summary>
public static class TilePairPreparation
{
    /// <summary>Prepares <paramref name="before"/> and <paramref name="after"/> (same grid window, size and band count; NaN = no data).</summary>
    /// <exception cref="ArgumentException">The rasters differ in size or band count.</exception>
    public static PreparedTilePair Prepare(TileRaster before, TileRaster after) => Prepare(before, after, ScenePairStatistics.None);

    /// <summary>
    /// Prepares the pair and carries its scenes' <paramref name="statistics"/> along for the features' normalisation
    /// (<see cref="PreparedTilePair.Statistics"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The rasters differ in size or band count.</exception>
    public static PreparedTilePair Prepare(TileRaster before, TileRaster after, ScenePairStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        var (aligned, registration) = TileCoRegistration.Align(before, after);
        var n = before.Width * before.Height;
        var reasons = ArrayPool<byte>.Shared.Rent(3 * n);
        try
        {
            var reasonsBefore = reasons.AsSpan(0, n);
            var reasonsAfter = reasons.AsSpan(n, n);
            var covered = reasons.AsSpan(2 * n, n);
            var coveredCount = DateNormalisation.MarkCovered(before, after, covered);
            reasons.AsSpan(0, 2 * n).Clear();
            var ((cloudAfter, shadowAfter, hazeAfter), (cloudBefore, shadowBefore, hazeBefore)) = CloudMask.MarkBoth(aligned, before, reasonsAfter, reasonsBefore);
            var maskedBefore = cloudBefore + shadowBefore > 0 ? WithoutMasked(before, reasonsBefore) : before;
            var maskedAfter = cloudAfter + shadowAfter > 0 ? WithoutMasked(aligned, reasonsAfter) : aligned;
            int noData = 0, cloud = 0, shadow = 0;
            for (var i = 0; i < n; i++)
            {
                if (covered[i] == 0)
                {
                    continue; // no image shows this ground: not part of the tile's judged area
                }

                var r = (MaskReason)(reasonsBefore[i] | reasonsAfter[i]);
                if ((r & MaskReason.NoData) != 0)
                {
                    noData++;
                }
                else if ((r & MaskReason.Cloud) != 0)
                {
                    cloud++;
                }
                else if ((r & MaskReason.CloudShadow) != 0)
                {
                    shadow++;
                }
            }

            var judged = Math.Max(1, coveredCount);
            var masks = new MaskSummary((double)noData / judged, (double)cloud / judged, (double)shadow / judged, hazeBefore, hazeAfter)
            {
                CoveredFraction = (double)coveredCount / n,
            };
            return new PreparedTilePair(maskedBefore, maskedAfter, registration, masks, statistics) { CoveredPixels = coveredCount };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(reasons);
        }
    }

    /// <summary>A copy of <paramref name="raster"/> with every band NaN where a cloud or shadow reason is set.</summary>
    private static TileRaster WithoutMasked(TileRaster raster, ReadOnlySpan<byte> reasons)
    {
        var copy = new TileRaster(raster.Width, raster.Height, raster.BandCount, (float[])raster.Data.Clone(), raster.GeoReference);
        const byte Masked = (byte)(MaskReason.Cloud | MaskReason.CloudShadow);
        for (var b = 0; b < copy.BandCount; b++)
        {
            var band = copy.Band(b);
            for (var i = 0; i < band.Length; i++)
            {
                if ((reasons[i] & Masked) != 0)
                {
                    band[i] = float.NaN;
                }
            }
        }

        return copy;
    }
}
