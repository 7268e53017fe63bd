using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Detection;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Modelling;

/// <summary>
/// Scores a whole pair tile by tile (<see cref="PairTiling"/>: the whole image as one raster by default; with
/// <c>--tile 256</c> as the pipeline does, 256 px cores with 16 px context, each date normalised by its scene's statistics).
/// </summary>
internal static class PixelImageScorer
{
    /// <summary>The pair's smoothed probability map, each tile scored as the pipeline scores it.</summary>
    public static float[] Score(PixelChangeModel model, ChangePair pair) => Score(model, pair, null, null);

    /// <summary>
    /// The pair's smoothed probability map (thresholded for the mask) and its evidence map (the same ensemble output
    /// smoothed by the 5×5 box mean, which ranks cells: the cell score is its 99th percentile), as the pipeline scores tiles.
    /// </summary>
    public static (float[] Probability, float[] Evidence) ScoreWithEvidence(PixelChangeModel model, ChangePair pair) =>
        ScoreWithEvidence(model, pair, PairTiling.TileSize);

    /// <summary>As <see cref="ScoreWithEvidence(PixelChangeModel, ChangePair)"/> with tiles of <paramref name="tileSize"/> (0: the whole image).</summary>
    public static (float[] Probability, float[] Evidence) ScoreWithEvidence(PixelChangeModel model, ChangePair pair, int tileSize)
    {
        var evidence = new float[pair.PixelCount];
        return (Score(model, pair, null, evidence, tileSize), evidence);
    }

    /// <summary>
    /// Scores the pair and thresholds each tile as the pipeline's scorer does (<see cref="PixelChangeModel.TileThreshold"/>
    /// over the tile's whole read window, applied to its core): <paramref name="mask"/> is 1 where a pixel is change.
    /// </summary>
    public static float[] Score(PixelChangeModel model, ChangePair pair, out byte[] mask) => Score(model, pair, out mask, PairTiling.TileSize);

    /// <summary>As <see cref="Score(PixelChangeModel, ChangePair, out byte[])"/> with tiles of <paramref name="tileSize"/> (0: the whole image).</summary>
    public static float[] Score(PixelChangeModel model, ChangePair pair, out byte[] mask, int tileSize)
    {
        mask = new byte[pair.PixelCount];
        return Score(model, pair, mask, null, tileSize);
    }

    /// <summary>
    /// The pair's probability map smoothed by each of <paramref name="smoothings"/> (one ensemble pass per tile;
    /// <see cref="PixelChangeModel.Score(Core.Imaging.TileRaster, Core.Imaging.TileRaster, IReadOnlyList{ProbabilitySmoothing}, IReadOnlyList{float[]}, Core.Domain.ScenePairStatistics?)"/>).
    /// </summary>
    public static float[][] ScoreEach(PixelChangeModel model, ChangePair pair, IReadOnlyList<ProbabilitySmoothing> smoothings)
    {
        var maps = smoothings.Select(_ => new float[pair.PixelCount]).ToArray();
        var tiles = PairTiling.Tiles(pair.Width, pair.Height).ToArray();
        var statistics = PairTiling.TileStatistics(pair);
        Parallel.ForEach(tiles, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, tile =>
        {
            var (read, core) = tile;
            var (before, after) = PairTiling.Crop(pair, read);
            var locals = smoothings.Select(_ => new float[read.Width * read.Height]).ToArray();
            model.Score(before, after, smoothings, locals, statistics);
            for (var k = 0; k < locals.Length; k++)
            {
                CopyCore(locals[k], read, core, maps[k], pair.Width);
            }
        });
        return maps;
    }

    /// <summary>
    /// As <see cref="Score(PixelChangeModel, ChangePair, out byte[])"/>, and the evidence map (<see cref="ScoreWithEvidence(PixelChangeModel, ChangePair)"/>).
    /// </summary>
    public static float[] Score(PixelChangeModel model, ChangePair pair, out byte[] mask, out float[] evidence)
    {
        mask = new byte[pair.PixelCount];
        evidence = new float[pair.PixelCount];
        return Score(model, pair, mask, evidence);
    }

    private static float[] Score(PixelChangeModel model, ChangePair pair, byte[]? flags, float[]? evidence) =>
        Score(model, pair, flags, evidence, PairTiling.TileSize);

    private static float[] Score(PixelChangeModel model, ChangePair pair, byte[]? flags, float[]? evidence, int tileSize)
    {
        var probability = new float[pair.PixelCount];
        var tiles = PairTiling.ScoringTiles(pair.Width, pair.Height, tileSize).ToArray();
        var statistics = PairTiling.TileStatistics(pair, tileSize);
        Parallel.ForEach(tiles, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, tile =>
        {
            var (read, core) = tile;
            var (before, after) = PairTiling.Crop(pair, read);
            if (!PairTiling.Assessable(before, after))
            {
                return; // not assessable on the pipeline's grid: its core stays unscored (0)
            }

            var local = new float[read.Width * read.Height];
            var localEvidence = evidence is null ? null : new float[read.Width * read.Height];
            model.Score(before, after, local, localEvidence, statistics);
            var threshold = flags is null ? 0f : (float)model.TileThreshold(local, GroundSampleDistance.OfTilePair(before, after));
            CopyCore(local, read, core, probability, pair.Width);
            if (evidence is not null)
            {
                CopyCore(localEvidence!, read, core, evidence, pair.Width);
            }

            if (flags is null)
            {
                return;
            }

            for (var y = core.Y; y < core.Y + core.Height; y++)
            {
                var row = local.AsSpan((y - read.Y) * read.Width + (core.X - read.X), core.Width);
                for (var x = 0; x < row.Length; x++)
                {
                    flags[y * pair.Width + core.X + x] = row[x] >= threshold ? (byte)1 : (byte)0;
                }
            }
        });
        return probability;
    }

    // A tile's core rows (tile-local map of the read window) into the whole pair's map.
    private static void CopyCore(float[] local, PixelWindow read, PixelWindow core, float[] map, int mapWidth)
    {
        for (var y = core.Y; y < core.Y + core.Height; y++)
        {
            local.AsSpan((y - read.Y) * read.Width + (core.X - read.X), core.Width).CopyTo(map.AsSpan(y * mapWidth + core.X, core.Width));
        }
    }
}
