using ChangeWatch.Detection;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Modelling;

/// <summary>Scores a whole pair tile by tile, as the pipeline does (256 px cores, 16 px context), on every core.</summary>
internal static class PixelImageScorer
{
    public static float[] Score(PixelChangeModel model, ChangePair pair)
    {
        var probability = new float[pair.PixelCount];
        var tiles = PairTiling.Tiles(pair.Width, pair.Height).ToArray();
        Parallel.ForEach(tiles, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, tile =>
        {
            var (read, core) = tile;
            var (before, after) = PairTiling.Crop(pair, read);
            var local = new float[read.Width * read.Height];
            model.Score(before, after, local);
            for (var y = core.Y; y < core.Y + core.Height; y++)
            {
                local.AsSpan((y - read.Y) * read.Width + (core.X - read.X), core.Width)
                    .CopyTo(probability.AsSpan(y * pair.Width + core.X, core.Width));
            }
        });
        return probability;
    }
}
