using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Detection;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Modelling;

/// <summary>
/// Cuts a pair into the rasters the pixel model sees. By default (<see cref="TileSize"/> 0) the whole image is one
/// raster, so each date is normalised over the image: measured here, that is what works (SZTAKI leave-one-site-out pixel F1
/// 0.58 against 0.31 with per-tile normalisation). With a tile size, cores on a regular grid are read with
/// <see cref="Context"/> px of context on every side (clipped at the image edge), as ScoreTilesHandler hands tiles to the scorer,
/// and each date is normalised by its scene's statistics as the pipeline normalises it (<see cref="TileStatistics(ChangePair)"/>).
/// </summary>
internal static class PairTiling
{
    /// <summary>Tile core size in pixels, or 0 for the whole image (set once by the command line before any work).</summary>
    public static int TileSize { get; set; }

    /// <summary>
    /// The tile size a leave-one-site-out fold scores its test site with (and <c>cross</c> its test dataset), when it
    /// differs from <see cref="TileSize"/> (null: the same): <c>--score-tile 256</c> with whole-image training measures a
    /// model trained as the shipped ones were, scored as the pipeline scores it.
    /// </summary>
    public static int? ScoreTileSize { get; set; }

    /// <summary>The tile size test images are scored with: <see cref="ScoreTileSize"/>, else <see cref="TileSize"/> (0: whole images).</summary>
    public static int ScoringTileSize => ScoreTileSize ?? TileSize;

    public const int Context = 16;

    /// <summary>
    /// Whether the test site is scored on the pipeline's own grid (<c>--pipeline-grid true</c>, with <c>--score-tile</c>
    /// or <c>--tile</c>): <see cref="GridTiles"/>, windows padded with no data past the image's edge, and a tile whose
    /// window the pipeline would not judge left unscored (<see cref="Assessable"/>), as ScoreTiles leaves it not assessable.
    /// False: cores of the tile size with context clipped at the edge.
    /// </summary>
    public static bool PipelineGrid { get; set; }

    /// <summary>The pipeline's tile overlap (<c>PipelineOptions.TileOverlap</c>'s default): half of it is each window's context.</summary>
    public const int GridOverlap = 32;

    /// <summary>
    /// The tiles the pipeline cuts an image of <paramref name="width"/> × <paramref name="height"/> into when it is the
    /// first scene of its grid (<c>AoiGrid</c> with <paramref name="tileSize"/> and <see cref="GridOverlap"/>): cores of
    /// tileSize − 32 px from the top-left corner (clipped to the image), each read as a tileSize window 16 px up and left
    /// of its core, which past the image's edge holds no data.
    /// </summary>
    public static IEnumerable<(PixelWindow Read, PixelWindow Core)> GridTiles(int width, int height, int tileSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(tileSize, GridOverlap);
        var stride = tileSize - GridOverlap;
        for (var y = 0; y < height; y += stride)
        {
            for (var x = 0; x < width; x += stride)
            {
                yield return (new PixelWindow(x - GridOverlap / 2, y - GridOverlap / 2, tileSize, tileSize), new PixelWindow(x, y, stride, stride).ClipTo(width, height));
            }
        }
    }

    /// <summary>The tiles a test site is scored in: <see cref="GridTiles"/> with <see cref="PipelineGrid"/>, else <see cref="Tiles(int, int, int)"/>.</summary>
    public static IEnumerable<(PixelWindow Read, PixelWindow Core)> ScoringTiles(int width, int height, int tileSize) =>
        PipelineGrid && tileSize > 0 ? GridTiles(width, height, tileSize) : Tiles(width, height, tileSize);

    /// <summary>
    /// Whether a tile pair is scored: always, except on the pipeline's grid (<see cref="PipelineGrid"/>), where it must be
    /// assessable as the pipeline judges it (<see cref="JudgedAssessable"/>).
    /// </summary>
    public static bool Assessable(TileRaster before, TileRaster after) => !PipelineGrid || JudgedAssessable(before, after);

    /// <summary>
    /// Whether the pipeline's scorers would judge the pair (<see cref="TileAssessability"/> with the pipeline's default
    /// <c>MaxMaskedFraction</c> 0.5): at most half of the pixels an image covers lack data in a date, and those cover at
    /// least a sixty-fourth of the window. Eval does not mask clouds, so only no data counts as masked here.
    /// </summary>
    public static bool JudgedAssessable(TileRaster before, TileRaster after) =>
        TileAssessability.Judge(before.Width * before.Height, DateNormalisation.CountCovered(before, after), DateNormalisation.CountValid(before, after), 0.5).Assessable;

    public static IEnumerable<(PixelWindow Read, PixelWindow Core)> Tiles(int width, int height) => Tiles(width, height, TileSize);

    public static IEnumerable<(PixelWindow Read, PixelWindow Core)> Tiles(int width, int height, int tileSize)
    {
        if (tileSize <= 0)
        {
            yield return (new PixelWindow(0, 0, width, height), new PixelWindow(0, 0, width, height));
            yield break;
        }

        for (var y = 0; y < height; y += tileSize)
        {
            for (var x = 0; x < width; x += tileSize)
            {
                var core = new PixelWindow(x, y, tileSize, tileSize).ClipTo(width, height);
                var read = new PixelWindow(x - Context, y - Context, tileSize + 2 * Context, tileSize + 2 * Context).ClipTo(width, height);
                yield return (read, core);
            }
        }
    }

    /// <summary>
    /// The statistics a tile of <paramref name="pair"/> is normalised by: the pair's scene statistics
    /// (<see cref="SceneStatistics"/>) when the pair is cut into tiles, as the pipeline passes them to the scorer; null for
    /// the whole image as one raster (<see cref="TileSize"/> 0), which is normalised over itself, the same scene.
    /// </summary>
    public static ScenePairStatistics? TileStatistics(ChangePair pair) => TileStatistics(pair, TileSize);

    /// <summary>As <see cref="TileStatistics(ChangePair)"/> for tiles of <paramref name="tileSize"/> (0: the whole image).</summary>
    public static ScenePairStatistics? TileStatistics(ChangePair pair, int tileSize) =>
        tileSize <= 0 ? null : PairRaster ? SceneStatisticsWithRaster(pair, tileSize) : SceneStatistics(pair);

    /// <summary>Both dates' statistics as ingest samples them (<see cref="SceneStatisticsSampler"/> over the whole image).</summary>
    public static ScenePairStatistics SceneStatistics(ChangePair pair) => new(Statistics(pair, pair.Before), Statistics(pair, pair.After));

    /// <summary>
    /// Whether tiles also get the pair's raster-level values (<see cref="ScenePairStatistics.Raster"/>), sampled from its
    /// tiles as ingest samples them (<c>--pair-raster true</c>), so that a tile's features are the whole pair's up to
    /// sampling: what the pipeline scores with. False: each tile computes its own, as the pipeline did before
    /// <see cref="Core.Domain.SceneRecord.PairRaster"/> (and still does for scenes ingested before it).
    /// </summary>
    public static bool PairRaster { get; set; }

    /// <summary>
    /// <see cref="SceneStatistics"/> with the pair's raster-level values sampled as ingest samples them: a
    /// <see cref="PairRasterSampler"/> fed the tiles of <paramref name="tileSize"/> that <see cref="PairRasterTiles.Choose"/>
    /// picks (unprepared, as eval scores them).
    /// </summary>
    public static ScenePairStatistics SceneStatisticsWithRaster(ChangePair pair, int tileSize)
    {
        var statistics = SceneStatistics(pair);
        return statistics with { Raster = SampleRaster(pair, statistics, tileSize, prepare: false) };
    }

    /// <summary>
    /// The pair's raster-level values as ingest samples them from its tiles of <paramref name="tileSize"/>, each tile pair
    /// prepared first (<paramref name="prepare"/>, as the pipeline's cascade does) or not (as eval scores); null when the
    /// sampler gives none.
    /// </summary>
    public static PairRasterValues? SampleRaster(ChangePair pair, ScenePairStatistics statistics, int tileSize, bool prepare)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tileSize);
        var step = PipelineGrid ? tileSize - GridOverlap : tileSize;
        var tiles = ScoringTiles(pair.Width, pair.Height, tileSize).ToDictionary(t => new TileId(t.Core.Y / step, t.Core.X / step));
        var chosen = PairRasterTiles.Choose([.. tiles.Keys]);
        var sampler = PairRasterSampler.Create(statistics, chosen.Sum(t => (long)tiles[t].Core.Width * tiles[t].Core.Height), prepare);
        if (sampler is null)
        {
            return null;
        }

        // As ingest feeds it: a tile pair per core at a time.
        Parallel.ForEach(chosen, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, tile =>
        {
            var (read, core) = tiles[tile];
            var (before, after) = Crop(pair, read);
            sampler.Add(before, after, read, core);
        });
        return sampler.Build();
    }

    private static SceneStatistics? Statistics(ChangePair pair, float[] data)
    {
        var raster = new TileRaster(pair.Width, pair.Height, pair.Bands, data);
        var sampler = new SceneStatisticsSampler(raster.BandCount, raster.Width, raster.Height);
        var all = new PixelWindow(0, 0, raster.Width, raster.Height);
        sampler.Add(raster, all, all);
        return sampler.Build();
    }

    public static (TileRaster Before, TileRaster After) Crop(ChangePair pair, PixelWindow window)
    {
        return (Crop(pair.Before, pair, window), Crop(pair.After, pair, window));
    }

    private static TileRaster Crop(float[] data, ChangePair pair, PixelWindow window)
    {
        // A local metric grid (EPSG 0: no named system) carrying the pair's pixel size, as a georeferenced scene's tiles carry theirs.
        var grid = new GeoReference(0, new GeoTransform(window.X * pair.GroundSampleDistance, pair.GroundSampleDistance, 0, -window.Y * pair.GroundSampleDistance, 0, -pair.GroundSampleDistance));
        var tile = new TileRaster(window.Width, window.Height, pair.Bands, grid);
        var inside = window.ClipTo(pair.Width, pair.Height); // a pipeline-grid window may reach past the image: no data there
        if (inside.IsEmpty)
        {
            return tile;
        }

        for (var b = 0; b < pair.Bands; b++)
        {
            for (var y = inside.Y; y < inside.Y + inside.Height; y++)
            {
                data.AsSpan((b * pair.Height + y) * pair.Width + inside.X, inside.Width).CopyTo(tile.Row(b, y - window.Y).Slice(inside.X - window.X));
            }
        }

        return tile;
    }
}
