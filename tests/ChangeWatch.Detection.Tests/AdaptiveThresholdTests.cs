using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Modelling;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Detection.Tests;

/// <summary>The adaptive per-tile threshold of a pixel model and the transfer recipe that trains for it.</summary>
public sealed class AdaptiveThresholdTests
{
    private static readonly Lazy<PixelTreeModel> Trees = new(() => PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v3")).Trees);

    [Fact]
    public void TileThreshold_TwoModesAboveTheFloor_SplitsThemByOtsu()
    {
        var model = new PixelChangeModel(Trees.Value, 0.5) { AdaptiveThreshold = true };
        var probability = Modes(0.6f, 0.95f, upperFraction: 0.2);

        var threshold = model.TileThreshold(probability, 2.0);

        Assert.InRange(threshold, 0.6 + 1e-6, 0.95);
        Assert.Equal(probability.Count(p => p >= 0.9f), probability.Count(p => p >= threshold));
    }

    [Fact]
    public void TileThreshold_FlatLowTile_KeepsTheFloor()
    {
        var model = new PixelChangeModel(Trees.Value, 0.5) { AdaptiveThreshold = true };
        var probability = Modes(0.05f, 0.3f, upperFraction: 0.5);

        Assert.Equal(0.5, model.TileThreshold(probability, 2.0));
    }

    [Fact]
    public void TileThreshold_TileAnExpertServes_TakesTheExpertsFixedThreshold()
    {
        var model = new PixelChangeModel(Trees.Value, 0.5) { AdaptiveThreshold = true, Experts = [new(0.33, 0.75, Trees.Value, 0.42)] };

        Assert.Equal(0.42, model.TileThreshold(Modes(0.6f, 0.95f, 0.2), 0.5));
        Assert.NotEqual(0.42, model.TileThreshold(Modes(0.6f, 0.95f, 0.2), 2.0));
    }

    [Fact]
    public void TileThreshold_NotAdaptive_IsTheFixedThresholdForTheResolution()
    {
        var model = new PixelChangeModel(Trees.Value, 0.8) { ResolutionThresholds = [new(3, 0.6)] };

        Assert.Equal(0.6, model.TileThreshold(Modes(0.6f, 0.95f, 0.2), 2.0));
        Assert.Equal(0.8, model.TileThreshold(Modes(0.6f, 0.95f, 0.2), null));
    }

    [Fact]
    public void With_AThresholdOverride_TurnsTheAdaptiveThresholdOff_OtherChangesKeepIt()
    {
        var model = new PixelChangeModel(Trees.Value, 0.5) { AdaptiveThreshold = true };

        Assert.False(model.With(threshold: 0.2).AdaptiveThreshold);
        Assert.Equal(0.2, model.With(threshold: 0.2).TileThreshold(Modes(0.6f, 0.95f, 0.2), 2.0));
        Assert.True(model.With(stride: 2).AdaptiveThreshold);
    }

    [Fact]
    public void Load_ShippedV6_IsAdaptiveWhereNoExpertServesAndFixedWhereOneDoes()
    {
        var model = PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v6"), out var manifest, out _);

        Assert.True(model.AdaptiveThreshold);
        Assert.True(manifest.AdaptiveThreshold);
        Assert.Null(manifest.ResolutionThresholds);
        Assert.Equal(TransferRecipe.Floor, model.Threshold);
        Assert.Equal(3, model.Experts.Count);
        Assert.Equal(manifest.ResolutionExperts!.Single(e => e.Dataset == "sztaki").Threshold, model.TileThreshold(Modes(0.6f, 0.95f, 0.2), 1.5));
        Assert.False(PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v5")).AdaptiveThreshold);
    }

    [Fact]
    public void CascadeScorer_V6_IsAdaptiveOnlyWhereNoExpertServes()
    {
        var v6 = new CascadeChangeScorer(Some.ModelDirectory(), "v6");
        var v5 = new CascadeChangeScorer(Some.ModelDirectory(), "v5");

        Assert.Equal([true, false, false, true, true], new double?[] { 3.0, 0.5, 10.0, 0.25, null }.Select(v6.AdaptiveThresholdAt));
        Assert.False(v5.AdaptiveThresholdAt(3.0));
        Assert.Equal(TransferRecipe.Floor, v6.ThresholdFor(3.0));
    }

    [Fact]
    public void Score_PairOfOneTile_MasksAtTheTilesOwnThreshold()
    {
        var pair = TopLeft(SyntheticPixelPairs.Generate(1)[0], 200);
        var model = new PixelChangeModel(Trees.Value, 0.5, stride: 2) { AdaptiveThreshold = true };

        var probability = PixelImageScorer.Score(model, pair, out var mask);

        Assert.True(pair.Width <= 256 && pair.Height <= 256); // one pipeline tile: its read window is the whole pair
        var threshold = model.TileThreshold(probability, pair.GroundSampleDistance);
        Assert.Equal(probability.Select(p => p >= threshold ? (byte)1 : (byte)0), mask);
    }

    [Fact]
    public void TransferRows_HoldTheExcludedFeaturesAtZeroAndKeepTheRest()
    {
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var rows = new Dictionary<ChangePair, PixelSamples> { [pair] = PixelSamples.Draw(pair, 200, 200, 1) };

        var transfer = TransferRecipe.Rows(rows)[pair];

        var original = rows[pair];
        Assert.Equal(original.Labels, transfer.Labels);
        var excluded = TransferRecipe.Excluded.Select(f => (int)f).ToHashSet();
        for (var f = 0; f < PixelFeatures.Count; f++)
        {
            var column = Enumerable.Range(0, transfer.Count).Select(r => transfer.Features[r * PixelFeatures.Count + f]);
            var before = Enumerable.Range(0, original.Count).Select(r => original.Features[r * PixelFeatures.Count + f]);
            Assert.Equal(excluded.Contains(f) ? before.Select(_ => 0f) : before, column);
        }

        Assert.Contains(original.Features.Where((_, i) => excluded.Contains(i % PixelFeatures.Count)), v => v != 0);
    }

    [Fact]
    public void NuisanceTrainingPairs_AreUnchangedSyntheticScenesOfTheirOwnFamily()
    {
        var pairs = SyntheticPixelPairs.GenerateNuisanceOnly(2);

        Assert.All(pairs, p => Assert.Equal(SyntheticPixelPairs.Dataset, p.Dataset));
        Assert.All(pairs, p => Assert.DoesNotContain(p.Truth, t => t != 0));
        Assert.NotEqual(pairs[0].Site, pairs[1].Site);
        Assert.Equal(pairs[1].After, SyntheticPixelPairs.GenerateNuisanceOnly(2)[1].After);
        Assert.NotEqual(EvalScenes.NuisanceOnly(SyntheticSeeds.EvalNuisance, 0).After.Data, pairs[0].After); // not the test family
    }

    [Theory]
    [InlineData("test", 120)]
    [InlineData("tuning", 0)]
    public void CountsOnly_SceneCountOtherThanTheTestSets_IsRefused(string counts, int scenes)
    {
        var options = new ChangeWatch.Training.Evaluation.EvalOptions(
            string.Empty, "synthetic", "shipped", "v1", Some.ModelDirectory(), string.Empty, Json: false, new(), 1000, 1, Only: "counts", Counts: counts, CountsSceneCount: scenes);

        var ex = Assert.Throws<FormatException>(() => ChangeWatch.Training.Evaluation.EvalCommand.Run(options, TextWriter.Null));

        Assert.Contains("--count-scenes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CountsOnly_DevelopmentFamilyWithTwoScenes_CountsTwoScenesOfIt()
    {
        var options = new ChangeWatch.Training.Evaluation.EvalOptions(
            string.Empty, "synthetic", "shipped", "v1", Some.ModelDirectory(), string.Empty, Json: true, new(), 1000, 1, Only: "counts", Counts: "development", CountsSceneCount: 2, Counter: "rules");
        var output = new StringWriter();

        Assert.Equal(0, ChangeWatch.Training.Evaluation.EvalCommand.Run(options, output));

        var text = output.ToString();
        Assert.Contains("count scene 01", text, StringComparison.Ordinal);
        Assert.DoesNotContain("count scene 02", text, StringComparison.Ordinal);
        Assert.Contains("2 build-up scenes, seed 7003", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(5.0)]
    public void FalseAlarmsOnly_GroundSampleDistanceTheGeneratorCannotDraw_IsRefused(double gsd)
    {
        var options = new ChangeWatch.Training.Evaluation.EvalOptions(
            string.Empty, "synthetic", "shipped", "v6", Some.ModelDirectory(), string.Empty, Json: false, new(), 1000, 1, Only: "false-alarms", NuisanceGsd: gsd);

        var ex = Assert.Throws<FormatException>(() => ChangeWatch.Training.Evaluation.EvalCommand.Run(options, TextWriter.Null));

        Assert.Contains("--nuisance-gsd", ex.Message, StringComparison.Ordinal);
    }

    private static ChangePair TopLeft(ChangePair pair, int size)
    {
        float[] Crop(float[] data, int bands)
        {
            var crop = new float[bands * size * size];
            for (var b = 0; b < bands; b++)
            {
                for (var y = 0; y < size; y++)
                {
                    data.AsSpan(b * pair.PixelCount + y * pair.Width, size).CopyTo(crop.AsSpan(b * size * size + y * size, size));
                }
            }

            return crop;
        }

        var truth = new byte[size * size];
        for (var y = 0; y < size; y++)
        {
            pair.Truth.AsSpan(y * pair.Width, size).CopyTo(truth.AsSpan(y * size, size));
        }

        return pair with { Width = size, Height = size, Before = Crop(pair.Before, pair.Bands), After = Crop(pair.After, pair.Bands), Truth = truth };
    }

    private static float[] Modes(float low, float high, double upperFraction)
    {
        var values = new float[64 * 64];
        var rng = new Random(7);
        for (var i = 0; i < values.Length; i++)
        {
            var centre = i < upperFraction * values.Length ? high : low;
            values[i] = centre + (float)((rng.NextDouble() - 0.5) * 0.02);
        }

        return values;
    }
}
