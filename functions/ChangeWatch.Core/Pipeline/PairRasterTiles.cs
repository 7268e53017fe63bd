using ChangeWatch.Core.Domain;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// Which tiles of a scene pair its raster-level values are sampled from (<see cref="Ports.IPairRasterSampler"/>): every
/// tile of a pair of at most <see cref="Limit"/> tiles; for a larger one, the tiles on a regular lattice of rows and
/// columns (every k-th row and column, k the smallest step that keeps them to <see cref="Limit"/>), spread over the whole
/// pair so the values stay the pair's while the cost stays that of about <see cref="Limit"/> tiles whatever the scene size.
/// </summary>
public static class PairRasterTiles
{
    /// <summary>Most tiles sampled for one scene pair.</summary>
    public const int Limit = 64;

    /// <summary>
    /// The tiles of <paramref name="tiles"/> to sample, at most <paramref name="limit"/>: all of them in their given
    /// order when there are no more, else those on the lattice, by row then column (the same whatever the given order).
    /// </summary>
    public static IReadOnlyList<TileId> Choose(IReadOnlyList<TileId> tiles, int limit = Limit)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        if (tiles.Count <= limit)
        {
            return tiles;
        }

        var (minRow, maxRow) = (tiles.Min(t => t.Row), tiles.Max(t => t.Row));
        var (minCol, maxCol) = (tiles.Min(t => t.Col), tiles.Max(t => t.Col));
        var (rows, cols) = (maxRow - minRow + 1, maxCol - minCol + 1);
        for (var step = 2; ; step++)
        {
            // A step along each axis no longer than the axis, starting half a step in (so the pair's edge tiles, often
            // partly outside the scene, are not favoured and a single row or column is kept).
            var (rowStep, colStep) = (Math.Min(rows, step), Math.Min(cols, step));
            var chosen = tiles
                .Where(t => (t.Row - minRow) % rowStep == rowStep / 2 && (t.Col - minCol) % colStep == colStep / 2)
                .OrderBy(t => t.Row).ThenBy(t => t.Col)
                .ToArray();
            if (chosen.Length <= limit && (chosen.Length > 0 || (rowStep == rows && colStep == cols)))
            {
                return chosen.Length > 0 ? chosen : [tiles.MinBy(t => (t.Row, t.Col))];
            }
        }
    }
}
