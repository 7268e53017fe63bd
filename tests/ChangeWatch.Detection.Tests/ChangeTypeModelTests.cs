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
    public void Model_V1AndItsCascade_RecordTheTypeModelVersionAndTheSha256OfItsFile()
    {
        var tile = new MlNetChangeScorer(Some.ModelDirectory(), "v1");
        var cascade = new CascadeChangeScorer(Some.ModelDirectory(), "v3");
        var typeVersion = tile.TypeModel!.Manifest.Version;
        var fileSha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            File.ReadAllBytes(Path.Combine(Some.ModelDirectory(), typeVersion, "model.zip"))));

        Assert.Equal(typeVersion, tile.Model.TypeModelVersion);
        Assert.Equal(fileSha, tile.Model.TypeModelSha256);
        Assert.Equal(typeVersion, cascade.Model.TypeModelVersion);
        Assert.Equal(fileSha, cascade.Model.TypeModelSha256);
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
