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
    public void Load_ObjectEvidenceRule_IsReadAndCoveredByTheHash_ARuleOfNoVehiclesIsRefused()
    {
        Copy("v3", features => features);
        PixelModelFile.Load(_folder, out var plain, out var plainSha);
        Copy("v3", features => features, m => m["objectEvidence"] = new JsonObject { ["minArrivals"] = 4 });

        PixelModelFile.Load(_folder, out var manifest, out var sha);

        Assert.Null(plain.ObjectEvidence);
        Assert.Equal(new ObjectEvidence(4), manifest.ObjectEvidence);
        Assert.NotEqual(plainSha, sha);
        Copy("v3", features => features, m => m["objectEvidence"] = new JsonObject { ["minArrivals"] = 0 });
        var ex = Assert.Throws<InvalidDataException>(() => PixelModelFile.Load(_folder));
        Assert.Contains("minArrivals", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_V8_ReadsWhichWayRoundEachExpertTookTheDates()
    {
        PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v8"), out var v8, out _);
        PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v7"), out var v7, out _);

        var orders = v8.ResolutionExperts!.ToDictionary(e => e.Dataset, e => e.DateOrders);
        Assert.Equal("both", orders["oscd"]);
        Assert.Equal("forward", orders["levir"]);
        Assert.Equal("forward", orders["sztaki"]);
        Assert.All(v7.ResolutionExperts!, e => Assert.Null(e.DateOrders));
    }

    [Fact]
    public void Load_V9_SmoothsTheLevirAndSztakiExpertsWithTheGuidedFilterAndOscdWithTheBoxMean()
    {
        var model = PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v9"), out var v9, out _);
        var v8 = PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v8"));

        Assert.Equal(new ProbabilitySmoothing(SmoothingKind.Guided, 4, 0.2), model.ExpertFor(0.5)!.Smoothing);
        Assert.Equal(new ProbabilitySmoothing(SmoothingKind.Guided, 8, 1), model.ExpertFor(1.5)!.Smoothing);
        Assert.Equal(ProbabilitySmoothing.Default, model.ExpertFor(10)!.Smoothing);
        Assert.Equal(ProbabilitySmoothing.Default, model.Smoothing);
        Assert.All(new[] { 0.5, 1.5, 10.0 }, gsd => Assert.Null(v8.ExpertFor(gsd)!.Smoothing));
        Assert.Equal(["guided:4:0.2", "guided:8:1", "box:2"], v9.ResolutionExperts!.Select(e => e.Smoothing));
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

    [Theory]
    [InlineData(0.3, 0.4)]
    [InlineData(0.5, 0.4)]
    [InlineData(1.5, 0.7)]
    [InlineData(10.0, 0.9)]
    [InlineData(25.0, 0.8)]
    [InlineData(null, 0.8)]
    public void ThresholdFor_GroundSampleDistance_TakesTheFirstBandItFitsElseTheDefault(double? gsd, double expected)
    {
        var model = new PixelChangeModel(PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v3")).Trees, 0.8)
        {
            ResolutionThresholds = [new(0.87, 0.4), new(3.87, 0.7), new(20, 0.9)],
        };

        Assert.Equal(expected, model.ThresholdFor(gsd));
    }

    [Fact]
    public void ResolutionThresholds_NotAscending_AreRefused()
    {
        var trees = PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v3")).Trees;

        Assert.Throws<ArgumentException>(() => new PixelChangeModel(trees, 0.8) { ResolutionThresholds = [new(3.87, 0.7), new(0.87, 0.4)] });
    }

    [Fact]
    public void Load_ManifestWithResolutionThresholds_AppliesThem()
    {
        Copy("v3", features => features, manifest => manifest["resolutionThresholds"] = JsonNode.Parse("""[{"maxGroundSampleDistance":0.87,"threshold":0.42}]"""));

        var model = PixelModelFile.Load(_folder);

        Assert.Equal(0.42, model.ThresholdFor(0.5));
        Assert.Equal(model.Threshold, model.ThresholdFor(1.5));
    }

    private void Copy(string version, Func<JsonArray, JsonArray> editFeatures, Action<JsonObject>? editManifest = null)
    {
        var source = Path.Combine(Some.ModelDirectory(), version);
        File.Copy(Path.Combine(source, "model.zip"), Path.Combine(_folder, "model.zip"), overwrite: true);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "model.json")))!.AsObject();
        var key = manifest.Select(kv => kv.Key).Single(k => string.Equals(k, "features", StringComparison.OrdinalIgnoreCase) || string.Equals(k, "featureNames", StringComparison.OrdinalIgnoreCase));
        manifest[key] = editFeatures(manifest[key]!.AsArray());
        editManifest?.Invoke(manifest);
        File.WriteAllText(Path.Combine(_folder, "model.json"), manifest.ToJsonString());
    }
}
