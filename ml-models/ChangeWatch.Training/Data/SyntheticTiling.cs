using ChangeWatch.Core.Imaging;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Training.Data;

/// <summary>
/// Cuts a synthetic pair into pipeline tiles as IngestScene does: tile (r, c) owns the core
/// <c>[c·S, (c+1)·S) × [r·S, (r+1)·S)</c>, stride <c>S = size − overlap</c>, and is read from the <c>size</c>-square window
/// with <c>overlap/2</c> px of context on each side (NaN outside the scene). Tiles carry a north-up UTM georeferencing at
/// <see cref="GroundSampleDistance"/>, so scorers measure objects at that GSD.
/// </summary>
internal static class SyntheticTiling
{
    /// <summary>Metres per pixel given to synthetic scenes: the generator's cars are 2-4 × 4-8 px, i.e. 2-4 × 4-8 m.</summary>
    public const double GroundSampleDistance = 1.0;

    /// <summary>One tile: its raster pair, its core in scene pixels and its window in scene pixels.</summary>
    public sealed record Tile(TileRaster Before, TileRaster After, PixelWindow Core, PixelWindow Window);

    public static IEnumerable<Tile> Tiles(SyntheticPair pair, int size = 256, int overlap = 32, double groundSampleDistance = GroundSampleDistance)
    {
        ArgumentNullException.ThrowIfNull(pair);
        var stride = size - overlap;
        for (var y = 0; y < pair.Height; y += stride)
        {
            for (var x = 0; x < pair.Width; x += stride)
            {
                var window = new PixelWindow(x - overlap / 2, y - overlap / 2, size, size);
                var core = new PixelWindow(x, y, stride, stride).ClipTo(pair.Width, pair.Height);
                yield return new Tile(Crop(pair.Before, window, groundSampleDistance), Crop(pair.After, window, groundSampleDistance), core, window);
            }
        }
    }

    /// <summary>Copies <paramref name="window"/> of <paramref name="source"/> (NaN outside it), georeferenced at <paramref name="groundSampleDistance"/> metres a pixel.</summary>
    public static TileRaster Crop(TileRaster source, PixelWindow window, double groundSampleDistance = GroundSampleDistance)
    {
        var g = groundSampleDistance;
        var geo = new GeoReference(32636, new GeoTransform(500_000 + window.X * g, g, 0, 3_500_000 - window.Y * g, 0, -g));
        var tile = new TileRaster(window.Width, window.Height, source.BandCount, geo);
        var inside = window.ClipTo(source.Width, source.Height);
        if (inside.IsEmpty)
        {
            return tile;
        }

        for (var b = 0; b < source.BandCount; b++)
        {
            for (var y = inside.Y; y < inside.Y + inside.Height; y++)
            {
                source.Row(b, y).Slice(inside.X, inside.Width).CopyTo(tile.Row(b, y - window.Y).Slice(inside.X - window.X));
            }
        }

        return tile;
    }
}
