using ChangeWatch.Training.Data;

namespace ChangeWatch.Detection.Tests;

/// <summary>
/// Object evidence in the cascade (model v7 = v6's pixel models + the rule): tiles the pixel model leaves unflagged are
/// flagged where vehicles gather and the tile model agrees; elsewhere v7 is v6.
/// </summary>
public sealed class ObjectEvidenceTests
{
    private static readonly Lazy<CascadeChangeScorer> V6 = new(() => new CascadeChangeScorer(Some.ModelDirectory(), "v6"));
    private static readonly Lazy<CascadeChangeScorer> V7 = new(() => new CascadeChangeScorer(Some.ModelDirectory(), "v7"));

    [Fact]
    public void V7_HasTheRule_AndAHashOfItsOwn()
    {
        Assert.Equal(new ObjectEvidence(4), V7.Value.Manifest.ObjectEvidence);
        Assert.Null(V6.Value.Manifest.ObjectEvidence);
        Assert.NotEqual(V6.Value.Model.Sha256, V7.Value.Model.Sha256);
    }

    [Fact]
    public void Assess_VehiclesArrivingAt1m_V7FlagsTilesV6Misses_WithTheArrivalsAsMaskAndTheTileModelsProbability()
    {
        var ct = TestContext.Current.CancellationToken;
        var gained = 0;
        foreach (var scene in new[] { 1, 2 })
        {
            var pair = CountScenes.BuildUp(SyntheticSeeds.CountTuning, scene, 1.0);
            foreach (var tile in SyntheticTiling.Tiles(pair))
            {
                var (six, seven) = (V6.Value.Assess(tile.Before, tile.After, ct), V7.Value.Assess(tile.Before, tile.After, ct));
                Assert.False(six.FlaggedByObjectEvidence);
                if (six.Flagged)
                {
                    Assert.True(seven.Flagged);
                    Assert.False(seven.FlaggedByObjectEvidence);
                    Assert.Equal(six.ChangeMask, seven.ChangeMask);
                    continue;
                }

                if (!seven.Flagged)
                {
                    Assert.Equal(six.Probability, seven.Probability);
                    continue;
                }

                gained++;
                Assert.True(seven.FlaggedByObjectEvidence);
                var prepared = TilePairPreparation.Prepare(tile.Before, tile.After);
                var arrivals = new byte[tile.Before.Width * tile.Before.Height];
                Assert.True(ObjectCounter.CountArrivals(prepared.Before, prepared.After, 1.0, 16, arrivals) >= 4);
                Assert.Equal(arrivals, seven.ChangeMask);
                Assert.True(seven.Probability >= 0.55, $"tile model probability {seven.Probability:F3}");
                Assert.Equal(ChangeTypeRule.ObjectBuildUp, seven.ChangeType);
            }
        }

        Assert.True(gained >= 2, $"{gained} tiles gained");
    }

    [Fact]
    public void Assess_NuisanceOnlySceneWithoutHaze_V7FlagsWhatV6Flags()
    {
        var ct = TestContext.Current.CancellationToken;
        var pair = EvalScenes.NuisanceOnly(SyntheticSeeds.ValidationNuisance, 2);
        foreach (var tile in SyntheticTiling.Tiles(pair))
        {
            Assert.Equal(V6.Value.Assess(tile.Before, tile.After, ct).Flagged, V7.Value.Assess(tile.Before, tile.After, ct).Flagged);
        }
    }

    [Fact]
    public void Assess_CoarseTiles_NeverRunTheEvidence()
    {
        var ct = TestContext.Current.CancellationToken;
        var pair = CountScenes.BuildUp(SyntheticSeeds.CountTuning, 1, 3.0);
        var times = new ScoringStepTimes();
        var seven = new CascadeChangeScorer(Some.ModelDirectory(), "v7") { Times = times };
        foreach (var tile in SyntheticTiling.Tiles(pair, groundSampleDistance: 3.0))
        {
            var (six, evidence) = (V6.Value.Assess(tile.Before, tile.After, ct), seven.Assess(tile.Before, tile.After, ct));
            Assert.Equal((six.Flagged, six.Probability, six.ChangeType), (evidence.Flagged, evidence.Probability, evidence.ChangeType));
        }

        Assert.Equal(0, times.Tiles(ScoringStep.Evidence));
    }
}
