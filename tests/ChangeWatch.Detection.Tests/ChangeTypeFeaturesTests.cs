using ChangeWatch.Core.Imaging;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Detection.Tests;

public sealed class ChangeTypeFeaturesTests
{
    private static float[] Extras(TileRaster before, TileRaster after)
    {
        var f = new float[ChangeTypeFeatures.ExtraCount];
        ChangeTypeFeatures.ComputeExtras(before, after, f);
        return f;
    }

    private static float Get(float[] f, ChangeTypeFeature feature) => f[(int)feature];

    [Fact]
    public void Names_AreTheTilePairNamesThenTheExtraNames()
    {
        Assert.Equal(ChangeTypeFeatures.Count, ChangeTypeFeatures.Names.Count);
        Assert.Equal(TilePairFeatures.Names, ChangeTypeFeatures.Names.Take(TilePairFeatures.Count));
        Assert.Equal(Enum.GetNames<ChangeTypeFeature>(), ChangeTypeFeatures.Names.Skip(TilePairFeatures.Count));
    }

    [Fact]
    public void ComputeExtras_IdenticalImages_MarksNothingChanged()
    {
        var pair = Some.QuietPair();

        var f = Extras(pair.Before, pair.Before);

        Assert.Equal(0f, Get(f, ChangeTypeFeature.ChangedFraction));
        Assert.Equal(0f, Get(f, ChangeTypeFeature.CompactRegions));
        Assert.Equal(0f, Get(f, ChangeTypeFeature.GreennessChangeFraction));
    }

    [Fact]
    public void ComputeExtras_DarkObjectsArriveOrLeave_BalanceAndContrastGainTakeTheSignOfTheDirection()
    {
        var pair = Some.QuietPair();
        var withObjects = Some.WithDarkRectangles(pair.Before, Some.Grid(12));

        var arrived = Extras(pair.Before, withObjects);
        var left = Extras(withObjects, pair.Before);

        Assert.True(Get(arrived, ChangeTypeFeature.DarkObjectBalance) > 0.05f, $"arrived {Get(arrived, ChangeTypeFeature.DarkObjectBalance)}");
        Assert.True(Get(left, ChangeTypeFeature.DarkObjectBalance) < -0.05f, $"left {Get(left, ChangeTypeFeature.DarkObjectBalance)}");
        Assert.True(Get(arrived, ChangeTypeFeature.ContrastGain) > 0f);
        Assert.True(Get(left, ChangeTypeFeature.ContrastGain) < 0f);
        Assert.InRange(Get(arrived, ChangeTypeFeature.CompactRegions), 8f, 12f);
    }

    [Fact]
    public void ComputeExtras_ALongThinStrip_IsLinearNotCompact()
    {
        var pair = Some.QuietPair();
        var strip = Some.Map(pair.Before, v => v);
        for (var b = 0; b < strip.BandCount; b++)
        {
            for (var y = 60; y < 200; y++)
            {
                strip.Row(b, y).Slice(120, 3).Fill(230f);
            }
        }

        var f = Extras(pair.Before, strip);

        Assert.True(Get(f, ChangeTypeFeature.LinearRegionShare) > 0.9f, $"linear share {Get(f, ChangeTypeFeature.LinearRegionShare)}");
        Assert.True(Get(f, ChangeTypeFeature.LargestRegionElongation) > 10f, $"elongation {Get(f, ChangeTypeFeature.LargestRegionElongation)}");
        Assert.Equal(0f, Get(f, ChangeTypeFeature.CompactRegions));
    }

    [Fact]
    public void ComputeExtras_FieldsTurnBrown_GreennessFalls()
    {
        var before = new SyntheticScene(256, 256, 9).Render();
        var after = new SyntheticScene(256, 256, 9).WithNuisance(Nuisance.None with { Season = 1, FieldChangeFraction = 0.7 }).Render();

        var f = Extras(before.Before, after.After);

        Assert.True(Get(f, ChangeTypeFeature.GreennessChangeMean) < 0f, $"mean {Get(f, ChangeTypeFeature.GreennessChangeMean)}");
        Assert.True(Get(f, ChangeTypeFeature.GreennessChangeFraction) > 0.1f, $"fraction {Get(f, ChangeTypeFeature.GreennessChangeFraction)}");
    }

    [Fact]
    public void ComputeExtras_MostlyNoData_GivesZeros()
    {
        var pair = Some.QuietPair(size: 64);
        var empty = Some.Map(pair.After, _ => float.NaN);

        var f = Extras(pair.Before, empty);

        Assert.All(f, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Compute_ShortSpan_IsRefused()
    {
        var pair = Some.QuietPair(size: 64);

        Assert.Throws<ArgumentException>(() => ChangeTypeFeatures.Compute(pair.Before, pair.After, new float[ChangeTypeFeatures.Count - 1]));
    }
}
