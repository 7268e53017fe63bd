using ChangeWatch.Core.Imaging;
using ChangeWatch.Training.Data;

namespace ChangeWatch.Detection.Tests;

public sealed class ObjectCounterTests
{
    [Fact]
    public void Count_UnknownOrCoarseGsd_IsNotMeasured()
    {
        var pair = Some.QuietPair();

        Assert.Null(ObjectCounter.Count(pair.Before, pair.After, null, 16));
        Assert.Null(ObjectCounter.Count(pair.Before, pair.After, 10.0, 16));
        Assert.NotNull(ObjectCounter.Count(pair.Before, pair.After, 1.0, 16));
    }

    [Fact]
    public void Count_DarkVehiclesOnFlatGround_CountsEachOnce()
    {
        var flat = new TileRaster(128, 128, 3, Enumerable.Repeat(120f, 128 * 128 * 3).ToArray());
        var withCars = Some.WithDarkRectangles(flat, [(20, 20), (40, 20), (60, 20), (20, 60), (90, 90)], w: 3, h: 6);

        Assert.Equal(0, ObjectCounter.Count(flat, 1.0, new PixelWindow(0, 0, 128, 128)));
        Assert.Equal(5, ObjectCounter.Count(withCars, 1.0, new PixelWindow(0, 0, 128, 128)));
    }

    [Fact]
    public void Count_AdjacentCores_NeverCountAnObjectTwice()
    {
        var flat = new TileRaster(128, 128, 3, Enumerable.Repeat(120f, 128 * 128 * 3).ToArray());
        // Cars straddling the border x = 64 between two cores.
        var image = Some.WithDarkRectangles(flat, [(62, 20), (63, 50), (61, 80), (30, 30)], w: 4, h: 7);

        var left = ObjectCounter.Count(image, 1.0, new PixelWindow(0, 0, 64, 128));
        var right = ObjectCounter.Count(image, 1.0, new PixelWindow(64, 0, 64, 128));

        Assert.Equal(4, left + right);
    }

    [Fact]
    public void Count_BuildUpScenesInPipelineTiles_PooledCountsNearTruth()
    {
        // Seed family 9001: not used by any training set (train 1, validation 1001, test 2001).
        long counted = 0, truth = 0, countedBefore = 0, truthBefore = 0;
        for (var i = 0; i < 8; i++)
        {
            var pair = CountScenes.BuildUp(9001, i);
            foreach (var tile in SyntheticTiling.Tiles(pair))
            {
                var counts = ObjectCounter.Count(tile.Before, tile.After, SyntheticTiling.GroundSampleDistance, 16);
                Assert.NotNull(counts);
                counted += counts.After;
                countedBefore += counts.Before;
            }

            truth += pair.Objects.Count(o => o.After);
            truthBefore += pair.Objects.Count(o => o.Before);
        }

        // A regression guard, looser than the issue's ±20 % (8 scenes vary a lot; the figure is measured on the eval's
        // 30-scene family: docs/model-evaluation.md): after within -40 % / +25 % pooled; before at most 20 false objects per scene.
        Assert.InRange(counted, 0.6 * truth, 1.25 * truth);
        Assert.InRange(countedBefore - truthBefore, -20, 8 * 20);
    }

    [Fact]
    public void Assess_FlaggedGeoreferencedTile_FillsObjects_AndUngeoreferencedLeavesThemUnmeasured()
    {
        var scorer = new MlNetChangeScorer(Some.ModelDirectory(), "v1");
        var pair = new Synthetic.SyntheticScene(256, 256, 11).AddVehicles(Synthetic.Formation.Park, 24).Render();
        var window = new PixelWindow(0, 0, 256, 256);

        var georeferenced = scorer.Assess(SyntheticTiling.Crop(pair.Before, window), SyntheticTiling.Crop(pair.After, window), TestContext.Current.CancellationToken);
        var plain = scorer.Assess(pair.Before, pair.After, TestContext.Current.CancellationToken);

        Assert.True(georeferenced.Flagged);
        Assert.NotNull(georeferenced.Objects);
        Assert.True(georeferenced.Objects.Change > 0);
        Assert.Null(plain.Objects);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(4, false)]
    [InlineData(7, true)]
    public void GreyMorphology_AnyRadius_MatchesTheDirectWindowExtremum(int radius, bool max)
    {
        var (w, h) = (37, 23);
        var random = new Random(5);
        var source = Enumerable.Range(0, w * h).Select(_ => (float)random.NextDouble()).ToArray();
        var result = new float[w * h];

        GreyMorphology.Filter(source, w, h, radius, max, result, new float[w * h]);

        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var expected = max ? float.NegativeInfinity : float.PositiveInfinity;
                for (var v = Math.Max(0, y - radius); v <= Math.Min(h - 1, y + radius); v++)
                {
                    for (var u = Math.Max(0, x - radius); u <= Math.Min(w - 1, x + radius); u++)
                    {
                        expected = max ? Math.Max(expected, source[v * w + u]) : Math.Min(expected, source[v * w + u]);
                    }
                }

                Assert.Equal(expected, result[y * w + x]);
            }
        }
    }
}
