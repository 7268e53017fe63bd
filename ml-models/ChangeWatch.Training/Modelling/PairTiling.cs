using ChangeWatch.Core.Imaging;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Modelling;

/// <summary>
/// Cuts a pair into the pipeline's tiles: 256 px cores on a regular grid, each read with
/// <see cref="Context"/> px of context on every side (clipped at the image edge), as ScoreTilesHandler hands them to the scorer.
/// </summary>
internal static class PairTiling
{
    public const int TileSize = 256;

    public const int Context = 16;

    public static IEnumerable<(PixelWindow Read, PixelWindow Core)> Tiles(int width, int height)
    {
        for (var y = 0; y < height; y += TileSize)
        {
            for (var x = 0; x < width; x += TileSize)
            {
                var core = new PixelWindow(x, y, TileSize, TileSize).ClipTo(width, height);
                var read = new PixelWindow(x - Context, y - Context, TileSize + 2 * Context, TileSize + 2 * Context).ClipTo(width, height);
                yield return (read, core);
            }
        }
    }

    public static (TileRaster Before, TileRaster After) Crop(ChangePair pair, PixelWindow window)
    {
        return (Crop(pair.Before, pair, window), Crop(pair.After, pair, window));
    }

    private static TileRaster Crop(float[] data, ChangePair pair, PixelWindow window)
    {
        var tile = new TileRaster(window.Width, window.Height, pair.Bands);
        for (var b = 0; b < pair.Bands; b++)
        {
            for (var y = 0; y < window.Height; y++)
            {
                data.AsSpan((b * pair.Height + window.Y + y) * pair.Width + window.X, window.Width).CopyTo(tile.Row(b, y));
            }
        }

        return tile;
    }
}
