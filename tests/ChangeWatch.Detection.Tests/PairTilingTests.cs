using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Modelling;

namespace ChangeWatch.Detection.Tests;

/// <summary>How eval and training cut a pair into the rasters the pixel model sees (<see cref="PairTiling"/>).</summary>
public sealed class PairTilingTests
{
    private static readonly int[] RasterLevel =
        [(int)PixelFeature.MagnitudeRasterMedian, (int)PixelFeature.MagnitudeRasterP90, (int)PixelFeature.TextureRasterMedian];

    [Fact]
    public void TileStatistics_WholeImage_IsNone_Tiled_IsTheScenes()
    {
        var pair = SyntheticPixelPairs.Generate(1)[0];

        Assert.Null(PairTiling.TileStatistics(pair, 0));
        var tiled = PairTiling.TileStatistics(pair, 64);
        Assert.NotNull(tiled);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(PairTiling.SceneStatistics(pair)), System.Text.Json.JsonSerializer.Serialize(tiled));
        Assert.Equal(pair.Bands, tiled.Before!.Bands.Count);
    }

    [Fact]
    public void TiledWithSceneStatistics_EveryCoreFeatureIsTheWholeImages_ButTheRasterLevelValues()
    {
        // With the scene's statistics a tile normalises each date as the whole image does, and 16 px of context cover
        // the widest window (31 px): only the three one-value-per-raster planes differ between a tile and the image.
        var differing = DifferingPlanes(PairTiling.SceneStatistics(SyntheticPixelPairs.Generate(1)[0]));

        Assert.Subset(RasterLevel.ToHashSet(), differing);
        Assert.Contains(differing, f => RasterLevel.Contains(f));
    }

    [Fact]
    public void TiledWithTheWholeImagesRasterValues_EveryCoreFeatureIsTheWholeImages()
    {
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var statistics = PairTiling.SceneStatistics(pair);
        var (before, after) = PairTiling.Crop(pair, new(0, 0, pair.Width, pair.Height));
        var raster = PixelFeatures.RasterValues(before, after, statistics);

        Assert.True(raster.MagnitudeP90 > raster.MagnitudeMedian);
        Assert.Empty(DifferingPlanes(statistics with { Raster = raster }));

        // They are the whole image's own raster-level values (computed without them).
        var whole = new float[PixelFeatures.Count * pair.PixelCount];
        PixelFeatures.Compute(before, after, whole, new byte[pair.PixelCount], 1, statistics);
        Assert.Equal(whole[(int)PixelFeature.MagnitudeRasterMedian * pair.PixelCount], raster.MagnitudeMedian);
        Assert.Equal(whole[(int)PixelFeature.MagnitudeRasterP90 * pair.PixelCount], raster.MagnitudeP90);
        Assert.Equal(whole[(int)PixelFeature.TextureRasterMedian * pair.PixelCount], raster.TextureMedian);
    }

    [Fact]
    public void SceneStatisticsWithRaster_SampledFromTheTiles_AreTheWholeImagesWithinTwoPercent()
    {
        // Eval's --pair-raster samples the tiles as ingest does (PairRasterSampler); the whole image's values are a
        // 4096-point sample themselves, so the two agree up to sampling.
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var sampled = PairTiling.SceneStatisticsWithRaster(pair, 64);
        var (before, after) = PairTiling.Crop(pair, new(0, 0, pair.Width, pair.Height));
        var whole = PixelFeatures.RasterValues(before, after, sampled);

        Assert.NotNull(sampled.Raster);
        Assert.Equal(whole.MagnitudeMedian, sampled.Raster.MagnitudeMedian, 0.02 * whole.MagnitudeMedian);
        Assert.Equal(whole.MagnitudeP90, sampled.Raster.MagnitudeP90, 0.02 * whole.MagnitudeP90);
        Assert.Equal(whole.TextureMedian, sampled.Raster.TextureMedian, 0.02 * whole.TextureMedian);
    }

    [Fact]
    public void GridTiles_A256PxImage_IsFourPipelineTiles_EachJudgedOnWhatLiesInside()
    {
        // As the pipeline's grid (AoiGrid 256 / 32) cuts a 256 px scene: 224 px cores, 256 px windows 16 px up and left of
        // them, padded with no data past the edge. Each is judged on its part inside the image (48 × 240 px of the two
        // edge tiles, 48 × 48 of the corner: at least 1/64 of the window), so all four are assessable.
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var small = pair with { Width = 256, Height = 256, Before = Corner(pair.Before, pair), After = Corner(pair.After, pair), Truth = new byte[256 * 256] };

        var tiles = PairTiling.GridTiles(256, 256, 256).ToArray();

        Assert.Equal(
            [(new Core.Imaging.PixelWindow(-16, -16, 256, 256), new Core.Imaging.PixelWindow(0, 0, 224, 224)),
             (new(208, -16, 256, 256), new(224, 0, 32, 224)),
             (new(-16, 208, 256, 256), new(0, 224, 224, 32)),
             (new(208, 208, 256, 256), new(224, 224, 32, 32))],
            tiles);
        var crops = tiles.Select(t => PairTiling.Crop(small, t.Read)).ToArray();
        Assert.Equal([true, true, true, true], crops.Select(c => PairTiling.JudgedAssessable(c.Before, c.After)));
        Assert.True(float.IsNaN(crops[0].Before.Row(0, 0)[0])); // (−16, −16): outside
        Assert.Equal(small.Before[0], crops[0].Before.Row(0, 16)[16]); // (0, 0)
        Assert.Equal(small.After[255 * 256 + 255], crops[3].After.Row(0, 47)[47]); // (255, 255)
        Assert.True(float.IsNaN(crops[3].After.Row(0, 48)[48]));
    }

    // The top-left 256 × 256 of every band of a pair's date.
    private static float[] Corner(float[] data, Training.RealData.ChangePair pair)
    {
        var corner = new float[pair.Bands * 256 * 256];
        for (var b = 0; b < pair.Bands; b++)
        {
            for (var y = 0; y < 256; y++)
            {
                data.AsSpan((b * pair.Height + y) * pair.Width, 256).CopyTo(corner.AsSpan((b * 256 + y) * 256, 256));
            }
        }

        return corner;
    }

    // The feature planes in which some core pixel of some 64 px tile differs from the whole image's value (both computed with these statistics).
    private static HashSet<int> DifferingPlanes(Core.Domain.ScenePairStatistics statistics)
    {
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var whole = new float[PixelFeatures.Count * pair.PixelCount];
        var (wb, wa) = PairTiling.Crop(pair, new(0, 0, pair.Width, pair.Height));
        PixelFeatures.Compute(wb, wa, whole, new byte[pair.PixelCount], 1, statistics);
        var differing = new HashSet<int>();
        var tiles = PairTiling.Tiles(pair.Width, pair.Height, 64).ToArray();
        Assert.True(tiles.Length >= 4);
        foreach (var (read, core) in tiles)
        {
            var (before, after) = PairTiling.Crop(pair, read);
            var n = read.Width * read.Height;
            var planes = new float[PixelFeatures.Count * n];
            PixelFeatures.Compute(before, after, planes, new byte[n], 1, statistics);
            for (var f = 0; f < PixelFeatures.Count; f++)
            {
                for (var y = core.Y; y < core.Y + core.Height; y++)
                {
                    for (var x = core.X; x < core.X + core.Width; x++)
                    {
                        var tileValue = planes[f * n + (y - read.Y) * read.Width + (x - read.X)];
                        var imageValue = whole[f * pair.PixelCount + y * pair.Width + x];
                        if (MathF.Abs(tileValue - imageValue) > 1e-3f * (1 + MathF.Abs(imageValue)))
                        {
                            differing.Add(f);
                        }
                    }
                }
            }
        }

        return differing;
    }
}
