using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// Reassembles pictures of a scene from its stored tiles (each pixel taken from the tile whose core owns it): windows for
/// report chips and a downsampled overview. Memory is bounded by the requested window or overview plus one decoded tile
/// at a time (and a small cache of the most recent tiles).
/// </summary>
public sealed class TileMosaic(TileStore tiles, AoiGrid grid, string aoi, SceneId scene)
{
    private const int CacheSize = 16;
    private readonly Dictionary<TileId, TileRaster?> _cache = [];
    private readonly Queue<TileId> _order = new();

    /// <summary>Reads <paramref name="gridWindow"/> (grid pixels) with <paramref name="bands"/> bands; NaN where the scene has no tile.</summary>
    public async Task<TileRaster> ReadWindowAsync(PixelWindow gridWindow, int bands, CancellationToken cancellationToken)
    {
        var result = new TileRaster(gridWindow.Width, gridWindow.Height, bands, grid.GeoReferenceAt(gridWindow.X, gridWindow.Y));
        var first = grid.TileAt(gridWindow.X, gridWindow.Y);
        var last = grid.TileAt(gridWindow.X + gridWindow.Width - 1, gridWindow.Y + gridWindow.Height - 1);
        for (var r = first.Row; r <= last.Row; r++)
        {
            for (var c = first.Col; c <= last.Col; c++)
            {
                var id = new TileId(r, c);
                var tile = await GetTileAsync(id, cancellationToken).ConfigureAwait(false);
                if (tile is not null)
                {
                    CopyCore(id, tile, gridWindow, result);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// The change mask over <paramref name="gridWindow"/> (row-major, 1 = change), assembled from the stored masks of
    /// <paramref name="flaggedTiles"/> (their cores only); null when none of them has a mask there.
    /// </summary>
    public async Task<byte[]?> ReadMaskWindowAsync(PixelWindow gridWindow, IEnumerable<TileId> flaggedTiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flaggedTiles);
        byte[]? result = null;
        foreach (var id in flaggedTiles)
        {
            var shared = grid.CoreWindow(id).Intersect(gridWindow);
            if (shared.IsEmpty)
            {
                continue;
            }

            var (x0, x1, y0, y1) = (shared.X, shared.X + shared.Width, shared.Y, shared.Y + shared.Height);

            var mask = await tiles.ReadMaskAsync(aoi, scene, id, cancellationToken).ConfigureAwait(false);
            if (mask is null || mask.Length != grid.TileSize * grid.TileSize)
            {
                continue;
            }

            result ??= new byte[gridWindow.Width * gridWindow.Height];
            var window = grid.TileWindow(id);
            for (var y = y0; y < y1; y++)
            {
                mask.AsSpan((y - window.Y) * grid.TileSize + (x0 - window.X), x1 - x0)
                    .CopyTo(result.AsSpan((y - gridWindow.Y) * gridWindow.Width + (x0 - gridWindow.X), x1 - x0));
            }
        }

        return result;
    }

    /// <summary>
    /// Box-downsamples the scene (its placement on the grid) so that its longer side is at most <paramref name="maxSide"/>
    /// pixels. Returns the overview and the number of scene pixels per overview pixel.
    /// </summary>
    public async Task<(TileRaster Overview, int Scale)> ReadOverviewAsync(ScenePlacement placement, int bands, int maxSide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(placement);
        var scale = Math.Max(1, (int)Math.Ceiling(Math.Max(placement.Width, placement.Height) / (double)maxSide));
        var width = (placement.Width + scale - 1) / scale;
        var height = (placement.Height + scale - 1) / scale;
        var sums = new double[width * height * bands];
        var counts = new int[width * height * bands];
        foreach (var id in grid.TilesCovering(placement))
        {
            var tile = await GetTileAsync(id, cancellationToken).ConfigureAwait(false);
            if (tile is null)
            {
                continue;
            }

            var window = grid.TileWindow(id);
            var core = grid.CoreWindow(id);
            for (var gy = core.Y; gy < core.Y + core.Height; gy++)
            {
                var sy = gy - placement.OffsetY;
                if (sy < 0 || sy >= placement.Height)
                {
                    continue;
                }

                for (var b = 0; b < bands; b++)
                {
                    var row = tile.Row(b, gy - window.Y);
                    var outRow = (sy / scale) * width;
                    for (var gx = core.X; gx < core.X + core.Width; gx++)
                    {
                        var sx = gx - placement.OffsetX;
                        var v = row[gx - window.X];
                        if (sx < 0 || sx >= placement.Width || float.IsNaN(v))
                        {
                            continue;
                        }

                        var i = b * width * height + outRow + sx / scale;
                        sums[i] += v;
                        counts[i]++;
                    }
                }
            }
        }

        var overview = new TileRaster(width, height, bands);
        for (var i = 0; i < sums.Length; i++)
        {
            overview.Data[i] = counts[i] == 0 ? float.NaN : (float)(sums[i] / counts[i]);
        }

        return (overview, scale);
    }

    private void CopyCore(TileId id, TileRaster tile, PixelWindow target, TileRaster result)
    {
        var window = grid.TileWindow(id);
        var shared = grid.CoreWindow(id).Intersect(target);
        if (shared.IsEmpty)
        {
            return;
        }

        var (x0, x1, y0, y1) = (shared.X, shared.X + shared.Width, shared.Y, shared.Y + shared.Height);

        for (var b = 0; b < Math.Min(tile.BandCount, result.BandCount); b++)
        {
            for (var y = y0; y < y1; y++)
            {
                tile.Row(b, y - window.Y).Slice(x0 - window.X, x1 - x0)
                    .CopyTo(result.Row(b, y - target.Y).Slice(x0 - target.X, x1 - x0));
            }
        }
    }

    private async Task<TileRaster?> GetTileAsync(TileId id, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(id, out var cached))
        {
            return cached;
        }

        var tile = await tiles.ReadTileAsync(aoi, scene, id, cancellationToken).ConfigureAwait(false);
        if (_order.Count == CacheSize)
        {
            _cache.Remove(_order.Dequeue());
        }

        _cache[id] = tile;
        _order.Enqueue(id);
        return tile;
    }
}
