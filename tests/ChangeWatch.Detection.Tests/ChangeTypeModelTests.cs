using ChangeWatch.Synthetic;

namespace ChangeWatch.Detection.Tests;

public sealed class ChangeTypeModelTests
{
    [Fact]
    public void Scorer_V1_LoadsTheTypeModelItsManifestNames()
    {
        var scorer = new MlNetChangeScorer(Some.ModelDirectory(), "v1");

        Assert.NotNull(scorer.TypeModel);
        Assert.Equal("types-v5", scorer.TypeModel.Manifest.Version);
        Assert.Equal(ChangeTypes.All, scorer.TypeModel.Manifest.Classes);
        Assert.True(scorer.TypeModel.UsesExtraFeatures);
        Assert.Equal(ChangeTypeFeatures.Count, scorer.TypeModel.FeatureCount);
    }

    [Fact]
    public void Load_TypesV3_ReadsTheTilePairFeaturesAlone()
    {
        var model = new ChangeTypeModel(Some.ModelDirectory(), "types-v3");
        var pair = new SyntheticScene(256, 256, 21).AddVehicles(Formation.Park, 30).Render();
        var features = new float[TilePairFeatures.Count];
        TilePairFeatures.Compute(pair.Before, pair.After, features);

        Assert.False(model.UsesExtraFeatures);
        Assert.Equal(TilePairFeatures.Count, model.FeatureCount);
        Assert.Contains(model.Classify(pair.Before, pair.After, features), ChangeTypes.All);
    }

    [Fact]
    public void Manifest_TypesV4_RecordsTheSha256OfItsModelFile()
    {
        var model = new ChangeTypeModel(Some.ModelDirectory(), "types-v4");
        var fileSha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            File.ReadAllBytes(Path.Combine(Some.ModelDirectory(), "types-v4", "model.zip"))));

        Assert.Equal(fileSha, model.Manifest.ModelSha256);
        Assert.Equal(fileSha, model.Sha256);
    }

    [Fact]
    public void Load_ModelFileWhoseHashDiffersFromTheManifest_IsRefused()
    {
        var directory = Directory.CreateTempSubdirectory("cw-types-");
        try
        {
            var folder = Directory.CreateDirectory(Path.Combine(directory.FullName, "types-v4")).FullName;
            File.Copy(Path.Combine(Some.ModelDirectory(), "types-v4", "model.zip"), Path.Combine(folder, "model.zip"));
            var manifest = ModelManifest.Read(Path.Combine(Some.ModelDirectory(), "types-v4", "model.json"));
            (manifest with { ModelSha256 = new string('0', 64) }).Write(Path.Combine(folder, "model.json"));

            Assert.Throws<InvalidDataException>(() => new ChangeTypeModel(directory.FullName, "types-v4"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
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
    public void Model_V1AndItsCascade_RecordTheVehicleCountModel()
    {
        var tile = new MlNetChangeScorer(Some.ModelDirectory(), "v1");
        var cascade = new CascadeChangeScorer(Some.ModelDirectory(), "v7");

        Assert.Equal((VehicleCountModel.ShippedVersion, VehicleCountModel.Shipped.Sha256), (tile.Model.ObjectModelVersion, tile.Model.ObjectModelSha256));
        Assert.Equal((VehicleCountModel.ShippedVersion, VehicleCountModel.Shipped.Sha256), (cascade.Model.ObjectModelVersion, cascade.Model.ObjectModelSha256));
    }

    [Fact]
    public void Model_CascadeThatCountsNothing_NamesNoVehicleCountModel()
    {
        var cascade = new CascadeChangeScorer(Some.ModelDirectory(), "v7") { CountObjects = false };

        Assert.Equal((null, null), (cascade.Model.ObjectModelVersion, cascade.Model.ObjectModelSha256));
        Assert.Equal("v7", cascade.Model.Version);
        Assert.NotNull(cascade.Model.TypeModelVersion);
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
