using System.Text.Json.Nodes;
using ChangeWatch.Detection;

namespace ChangeWatch.Detection.Tests;

public sealed class PixelModelFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cw-pixelmodel-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Load_ModelTrainedBeforeTheGroundSampleFeature_LoadsWithItsShorterFeatureList()
    {
        Copy("v3", features => features);

        var model = PixelModelFile.Load(_folder, out var manifest, out _);

        Assert.Equal(PixelFeatures.Count - 1, manifest.FeatureNames.Count);
        Assert.True(model.Trees.MaxFeatureIndex < manifest.FeatureNames.Count);
    }

    [Fact]
    public void Load_FeatureListThatIsNotTheCodesBeginning_IsRefused()
    {
        Copy("v3", features =>
        {
            (features[0], features[1]) = (features[1]!.DeepClone(), features[0]!.DeepClone());
            return features;
        });

        var ex = Assert.Throws<InvalidDataException>(() => PixelModelFile.Load(_folder));
        Assert.Contains("retrain", ex.Message, StringComparison.Ordinal);
    }

    private void Copy(string version, Func<JsonArray, JsonArray> editFeatures)
    {
        var source = Path.Combine(Some.ModelDirectory(), version);
        File.Copy(Path.Combine(source, "model.zip"), Path.Combine(_folder, "model.zip"));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "model.json")))!.AsObject();
        var key = manifest.Select(kv => kv.Key).Single(k => string.Equals(k, "features", StringComparison.OrdinalIgnoreCase) || string.Equals(k, "featureNames", StringComparison.OrdinalIgnoreCase));
        manifest[key] = editFeatures(manifest[key]!.AsArray());
        File.WriteAllText(Path.Combine(_folder, "model.json"), manifest.ToJsonString());
    }
}
