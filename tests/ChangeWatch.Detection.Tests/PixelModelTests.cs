using ChangeWatch.Core.Imaging;
using ChangeWatch.Training.Modelling;
using ChangeWatch.Training.RealData;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ChangeWatch.Detection.Tests;

public sealed class PixelModelTests
{
    [Fact]
    public void Predict_TrainedEnsemble_MatchesMlNetProbabilities()
    {
        var samples = PixelSamples.Draw(SquarePair(seed: 3), 400, 400, seed: 1);
        var trainer = new PixelModelTrainer(new PixelTreeSettings(Trees: 8, Leaves: 7, MinExamplesPerLeaf: 5), seed: 2);
        var transformer = trainer.Train([samples]);
        var trees = PixelTreeModel.FromTransformer(transformer);

        var rows = Enumerable.Range(0, samples.Count)
            .Select(r => new PixelModelTrainer.PixelRow { Features = samples.Features.AsSpan(r * PixelFeatures.Count, PixelFeatures.Count).ToArray() })
            .ToList();
        var scored = transformer.Transform(trainer.Context.Data.LoadFromEnumerable(rows));
        var expected = trainer.Context.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).Select(s => s.Probability).ToArray();
        var planes = new float[PixelFeatures.Count * rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            for (var f = 0; f < PixelFeatures.Count; f++)
            {
                planes[f * rows.Count + r] = rows[r].Features[f];
            }
        }

        var actual = new float[rows.Count];
        trees.Predict(planes, rows.Count, Enumerable.Repeat((byte)1, rows.Count).ToArray(), actual);

        for (var i = 0; i < actual.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 5);
        }

        Assert.True(expected.Distinct().Count() > 4, "the model should not be constant");
    }

    [Fact]
    public void Predict_ListedPixels_EqualsEveryPixelThereAndLeavesTheRest()
    {
        var pair = SquarePair(seed: 6);
        var samples = PixelSamples.Draw(pair, 300, 300, seed: 2);
        var trees = PixelTreeModel.FromTransformer(new PixelModelTrainer(new PixelTreeSettings(Trees: 6, Leaves: 7, MinExamplesPerLeaf: 5), 3).Train([samples]));
        var n = pair.PixelCount;
        var planes = new float[PixelFeatures.Count * n];
        var valid = new byte[n];
        PixelFeatures.Compute(new TileRaster(pair.Width, pair.Height, pair.Bands, pair.Before), new TileRaster(pair.Width, pair.Height, pair.Bands, pair.After), planes, valid);
        var every = new float[n];
        trees.Predict(planes, n, valid, every);
        var listed = Enumerable.Range(0, n).Where(i => i % 5 == 2).ToArray();
        var some = Enumerable.Repeat(-1f, n).ToArray();

        trees.Predict(planes, n, listed, valid, some);

        for (var i = 0; i < n; i++)
        {
            Assert.Equal(i % 5 == 2 ? every[i] : -1f, some[i]);
        }
    }

    [Theory]
    [InlineData(31, true)]
    [InlineData(48, false)]
    public void Predict_AnyLeafCount_EqualsTheTreeWalkBitForBit(int leaves, bool quickScorer)
    {
        var pair = SquarePair(seed: 8);
        var samples = PixelSamples.Draw(pair, 900, 900, seed: 4);
        var trees = PixelTreeModel.FromTransformer(new PixelModelTrainer(new PixelTreeSettings(Trees: 12, Leaves: leaves, MinExamplesPerLeaf: 3), 5).Train([samples]));
        var n = pair.PixelCount;
        var planes = new float[PixelFeatures.Count * n];
        var valid = new byte[n];
        PixelFeatures.Compute(new TileRaster(pair.Width, pair.Height, pair.Bands, pair.Before), new TileRaster(pair.Width, pair.Height, pair.Bands, pair.After), planes, valid);
        for (var i = 0; i < n; i += 97)
        {
            planes[(i % PixelFeatures.Count) * n + i] = float.NaN; // NaN goes right at every split, in both evaluators
        }

        var pixels = n - 5; // a last partial vector
        var every = new float[pixels];
        trees.Predict(planes, pixels, valid, every);
        var listed = Enumerable.Range(0, pixels).Where(i => i % 3 != 1).ToArray();
        var some = new float[pixels];
        trees.Predict(planes, pixels, listed, valid, some);

        Assert.Equal(quickScorer, trees.UsesQuickScorer);
        for (var i = 0; i < pixels; i++)
        {
            var walked = valid[i] == 0 ? 0f : (float)trees.Calibrate(trees.RawScore(planes, pixels, i));
            Assert.Equal(walked, every[i]);
            Assert.Equal(i % 3 != 1 ? walked : 0f, some[i]);
        }

        Assert.True(every.Distinct().Count() > 4, "the model should not be constant");
    }

    [Fact]
    public void Train_SameSamplesTwice_GivesIdenticalEnsembles()
    {
        var samples = PixelSamples.Draw(SquarePair(seed: 5), 300, 300, seed: 4);
        var settings = new PixelTreeSettings(Trees: 6, Leaves: 5, MinExamplesPerLeaf: 5);
        var planes = samples.Features;

        var a = PixelTreeModel.FromTransformer(new PixelModelTrainer(settings, 9).Train([samples]));
        var b = PixelTreeModel.FromTransformer(new PixelModelTrainer(settings, 9).Train([samples]));

        for (var r = 0; r < samples.Count; r += 7)
        {
            var row = planes.AsSpan(r * PixelFeatures.Count, PixelFeatures.Count);
            Assert.Equal(a.RawScore(row, 1, 0), b.RawScore(row, 1, 0));
        }
    }

    [Fact]
    public void Score_TrainedOnASquareAppearing_FindsTheSquareInAnotherPair()
    {
        var trainer = new PixelModelTrainer(new PixelTreeSettings(Trees: 20, Leaves: 7, MinExamplesPerLeaf: 5), seed: 1);
        var model = new PixelChangeModel(PixelTreeModel.FromTransformer(trainer.Train([PixelSamples.Draw(SquarePair(seed: 11), 800, 800, 1)])), 0.5);
        var test = SquarePair(seed: 12);

        var probability = PixelImageScorer.Score(model, test);

        var inside = Enumerable.Range(0, test.PixelCount).Where(i => test.Truth[i] != 0).Average(i => probability[i]);
        var outside = Enumerable.Range(0, test.PixelCount).Where(i => test.Truth[i] == 0).Average(i => probability[i]);
        Assert.True(inside > 0.7 && outside < 0.3, $"mean probability inside {inside:F2}, outside {outside:F2}");
    }

    [Fact]
    public void Compute_IdenticalDates_GivesZeroChangeFeatures()
    {
        var pair = SquarePair(seed: 2);
        var before = new TileRaster(pair.Width, pair.Height, pair.Bands, pair.Before);
        var planes = new float[PixelFeatures.Count * pair.PixelCount];
        var valid = new byte[pair.PixelCount];

        var count = PixelFeatures.Compute(before, before, planes, valid);

        Assert.Equal(pair.PixelCount, count);
        foreach (var f in new[] { PixelFeature.MagnitudeMean1, PixelFeature.MagnitudeMean15, PixelFeature.Band2DifferenceMean7, PixelFeature.AbsoluteGradientChangeMean2 })
        {
            Assert.All(planes.AsSpan((int)f * pair.PixelCount, pair.PixelCount).ToArray(), v => Assert.Equal(0f, v, 4));
        }

        var correlation = planes.AsSpan((int)PixelFeature.Correlation7 * pair.PixelCount, pair.PixelCount).ToArray();
        Assert.True(correlation.Average() > 0.95, $"mean correlation {correlation.Average():F3}");
    }

    [Theory]
    [InlineData(0.5, -1f)]
    [InlineData(10.0, 3.321928f)]
    [InlineData(1.0, 0f)]
    public void Compute_GeoreferencedTile_FillsTheGroundSamplePlaneWithItsLog2(double metres, float expected)
    {
        var pair = SquarePair(seed: 3);
        var geo = new GeoReference(32633, new GeoTransform(500_000, metres, 0, 4_000_000, 0, -metres));
        var before = new TileRaster(pair.Width, pair.Height, pair.Bands, pair.Before, geo);
        var after = new TileRaster(pair.Width, pair.Height, pair.Bands, pair.After, geo);
        var planes = new float[PixelFeatures.Count * pair.PixelCount];

        PixelFeatures.Compute(before, after, planes, new byte[pair.PixelCount]);

        Assert.All(planes.AsSpan((int)PixelFeature.GroundSampleLog2 * pair.PixelCount, pair.PixelCount).ToArray(), v => Assert.Equal(expected, v, 4));
    }

    [Fact]
    public void Compute_TileWithoutGeoreferencing_FillsTheGroundSamplePlaneWithZero()
    {
        var pair = SquarePair(seed: 4);
        var planes = new float[PixelFeatures.Count * pair.PixelCount];
        planes.AsSpan().Fill(float.NaN);

        PixelFeatures.Compute(new TileRaster(pair.Width, pair.Height, pair.Bands, pair.Before), new TileRaster(pair.Width, pair.Height, pair.Bands, pair.After), planes, new byte[pair.PixelCount]);

        Assert.All(planes.AsSpan((int)PixelFeature.GroundSampleLog2 * pair.PixelCount, pair.PixelCount).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Names_GroundSampleFeature_IsAppendedAfterEveryEarlierFeature()
    {
        // Models trained before the feature existed (v2, v3) list the first 33 names and read only those planes.
        Assert.Equal(nameof(PixelFeature.HasNir), PixelFeatures.Names[32]);
        Assert.Equal(nameof(PixelFeature.GroundSampleLog2), PixelFeatures.Names[^1]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Compute_OnAGrid_GivesEachGridPointTheValuesOfItsPixel(int stride)
    {
        var pair = SquarePair(seed: 4);
        var before = new TileRaster(pair.Width, pair.Height, pair.Bands, (float[])pair.Before.Clone());
        var after = new TileRaster(pair.Width, pair.Height, pair.Bands, pair.After);
        before.Data[5 * pair.Width + 7] = float.NaN;
        var n = pair.PixelCount;
        var full = new float[PixelFeatures.Count * n];
        PixelFeatures.Compute(before, after, full, new byte[n]);
        var (gw, gh) = (PixelFeatures.GridSize(pair.Width, stride), PixelFeatures.GridSize(pair.Height, stride));
        var grid = new float[PixelFeatures.Count * gw * gh];

        PixelFeatures.Compute(before, after, grid, new byte[n], stride);

        for (var f = 0; f < PixelFeatures.Count; f++)
        {
            for (var gy = 0; gy < gh; gy++)
            {
                for (var gx = 0; gx < gw; gx++)
                {
                    Assert.Equal(full[f * n + gy * stride * pair.Width + gx * stride], grid[f * gw * gh + gy * gw + gx]);
                }
            }
        }
    }

    [Fact]
    public void Score_StrideTwo_FindsTheSquareAsEveryPixelDoes()
    {
        var trainer = new PixelModelTrainer(new PixelTreeSettings(Trees: 20, Leaves: 7, MinExamplesPerLeaf: 5), seed: 1);
        var trees = PixelTreeModel.FromTransformer(trainer.Train([PixelSamples.Draw(SquarePair(seed: 11), 800, 800, 1)]));
        var test = SquarePair(seed: 12);

        var every = PixelImageScorer.Score(new PixelChangeModel(trees, 0.5), test);
        var grid = PixelImageScorer.Score(new PixelChangeModel(trees, 0.5, stride: 2), test);

        var difference = every.Zip(grid, (a, b) => Math.Abs(a - b)).Average();
        var inside = Enumerable.Range(0, test.PixelCount).Where(i => test.Truth[i] != 0).Average(i => grid[i]);
        var outside = Enumerable.Range(0, test.PixelCount).Where(i => test.Truth[i] == 0).Average(i => grid[i]);
        Assert.True(difference < 0.05, $"mean |difference| {difference:F3}");
        Assert.True(inside > 0.7 && outside < 0.3, $"mean probability inside {inside:F2}, outside {outside:F2}");
    }

    /// <summary>A 96 × 96 RGB pair of noisy texture where a 20 × 20 bright square appears at a seed-dependent place.</summary>
    private static ChangePair SquarePair(int seed)
    {
        const int w = 96, h = 96, n = w * h;
        var random = new Random(seed);
        var before = new float[3 * n];
        var after = new float[3 * n];
        var truth = new byte[n];
        var (sx, sy) = (10 + random.Next(50), 10 + random.Next(50));
        for (var i = 0; i < n; i++)
        {
            var (x, y) = (i % w, i / w);
            var inSquare = x >= sx && x < sx + 20 && y >= sy && y < sy + 20;
            truth[i] = inSquare ? (byte)1 : (byte)0;
            for (var b = 0; b < 3; b++)
            {
                var ground = 80 + 30 * MathF.Sin(x * 0.3f + b) * MathF.Cos(y * 0.2f);
                before[b * n + i] = ground + (float)random.NextDouble() * 10;
                after[b * n + i] = (inSquare ? 220 : ground) + (float)random.NextDouble() * 10;
            }
        }

        return new ChangePair("test", "s" + seed, "s" + seed, w, h, 3, before, after, truth);
    }

    private sealed class Scored
    {
        public float Probability { get; set; }
    }
}
