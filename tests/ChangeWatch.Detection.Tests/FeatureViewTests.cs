using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Modelling;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Detection.Tests;

/// <summary>Feature views: training rows with features held at 0, and experts choosing their view by cross-validation.</summary>
public sealed class FeatureViewTests
{
    [Fact]
    public void Train_NoLevelsView_GivesTreesThatNeverReadTheLevelFeatures()
    {
        var pairs = SyntheticPixelPairs.Generate(2);
        var samples = pairs.ToDictionary(p => p, p => PixelSamples.Draw(p, 300, 300, 1));

        var expert = ExpertTraining.Train(pairs, samples, [new(8, 8)], stride: 2, gate: 0, seed: 1, views: [FeatureView.NoLevels]);

        const int Pixels = 64;
        var rng = new Random(3);
        var planes = Enumerable.Range(0, PixelFeatures.Count * Pixels).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        var changed = (float[])planes.Clone();
        foreach (var f in FeatureView.NoLevels.AtZero)
        {
            for (var i = 0; i < Pixels; i++)
            {
                changed[(int)f * Pixels + i] = (float)(rng.NextDouble() * 40 - 20);
            }
        }

        var valid = Enumerable.Repeat((byte)1, Pixels).ToArray();
        var (a, b) = (new float[Pixels], new float[Pixels]);
        expert.Trees.Predict(planes, Pixels, valid, a);
        expert.Trees.Predict(changed, Pixels, valid, b);
        Assert.Equal(a, b);
        Assert.Same(FeatureView.NoLevels, expert.View);
    }

    [Fact]
    public void Train_TwoViews_TriesBothAndKeepsTheOneWithTheBestCrossValidatedF1Deterministically()
    {
        var pairs = SyntheticPixelPairs.Generate(3);
        var samples = pairs.ToDictionary(p => p, p => PixelSamples.Draw(p, 300, 300, 1));
        FeatureView[] views = [FeatureView.All, FeatureView.NoLevels];

        var a = ExpertTraining.Train(pairs, samples, [new(6, 8)], stride: 2, gate: 0, seed: 1, views: views);
        var b = ExpertTraining.Train(pairs, samples, [new(6, 8)], stride: 2, gate: 0, seed: 1, views: views);

        Assert.Equal(2, a.Candidates.Count);
        Assert.Equal(a.Candidates.Max(c => c.F1), a.ValidationF1);
        Assert.Same(a.Candidates[0].F1 >= a.Candidates[1].F1 ? FeatureView.All : FeatureView.NoLevels, a.View);
        Assert.Equal((a.View, a.Threshold), (b.View, b.Threshold));
        Assert.Equal(a.Candidates, b.Candidates);
    }

    [Fact]
    public void Rows_AllView_IsTheSameRows_NoLevelsZeroesOnlyItsFeatures()
    {
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var samples = new Dictionary<ChangePair, PixelSamples> { [pair] = PixelSamples.Draw(pair, 100, 100, 1) };

        Assert.Same(samples, FeatureView.All.Rows(samples, [pair]));
        var zeroed = FeatureView.NoLevels.Rows(samples, [pair])[pair];
        var levels = FeatureView.NoLevels.AtZero.Select(f => (int)f).ToHashSet();
        for (var i = 0; i < zeroed.Features.Length; i++)
        {
            Assert.Equal(levels.Contains(i % PixelFeatures.Count) ? 0f : samples[pair].Features[i], zeroed.Features[i]);
        }
    }

    [Fact]
    public void NoRaster_HoldsExactlyTheRasterLevelValuesAtZero()
    {
        // The values that are one number per raster (every pixel of an image alike); the change features stay.
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var samples = new Dictionary<ChangePair, PixelSamples> { [pair] = PixelSamples.Draw(pair, 100, 100, 1) };
        var zeroed = FeatureView.NoRaster.Rows(samples, [pair])[pair];
        int[] raster = [(int)PixelFeature.MagnitudeRasterMedian, (int)PixelFeature.MagnitudeRasterP90, (int)PixelFeature.TextureRasterMedian];

        Assert.Equal(raster.Order(), FeatureView.NoRaster.AtZero.Select(f => (int)f).Order());
        for (var i = 0; i < zeroed.Features.Length; i++)
        {
            Assert.Equal(raster.Contains(i % PixelFeatures.Count) ? 0f : samples[pair].Features[i], zeroed.Features[i]);
        }

        Assert.Contains(samples[pair].Features.Where((_, i) => i % PixelFeatures.Count == raster[0]), v => v != 0);
    }

    [Fact]
    public void Parse_UnknownView_IsRefused()
    {
        Assert.Same(FeatureView.NoLevels, FeatureView.Parse("no-levels"));
        Assert.Same(FeatureView.NoRaster, FeatureView.Parse("no-raster"));
        Assert.Throws<FormatException>(() => FeatureView.Parse("levels"));
    }
}
