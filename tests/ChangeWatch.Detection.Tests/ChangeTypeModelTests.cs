using ChangeWatch.Synthetic;

namespace ChangeWatch.Detection.Tests;

public sealed class ChangeTypeModelTests
{
    [Fact]
    public void Scorer_V1_LoadsTheTypeModelItsManifestNames()
    {
        var scorer = new MlNetChangeScorer(Some.ModelDirectory(), "v1");

        Assert.NotNull(scorer.TypeModel);
        Assert.Equal(ChangeTypes.All, scorer.TypeModel.Manifest.Classes);
    }

    [Fact]
    public void Assess_ClearBuildUpAndEarthworks_AreTypedByTheModel()
    {
        var scorer = new MlNetChangeScorer(Some.ModelDirectory(), "v1");
        var buildUp = new SyntheticScene(256, 256, 21).AddVehicles(Formation.Park, 30).Render();
        var earthworks = new SyntheticScene(256, 256, 22).AddEarthworks(3, 4).Render();

        var a = scorer.Assess(buildUp.Before, buildUp.After, TestContext.Current.CancellationToken);
        var b = scorer.Assess(earthworks.Before, earthworks.After, TestContext.Current.CancellationToken);

        Assert.True(a.Flagged && b.Flagged);
        Assert.Equal(ChangeTypes.ObjectBuildUp, a.ChangeType);
        Assert.Equal(ChangeTypes.EarthworksConstruction, b.ChangeType);
    }

    [Fact]
    public void Load_ModelOfAnotherKind_IsRefused()
    {
        Assert.Throws<InvalidDataException>(() => new ChangeTypeModel(Some.ModelDirectory(), "v1"));
    }
}
