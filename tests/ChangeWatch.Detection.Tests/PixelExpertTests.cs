using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Modelling;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Detection.Tests;

public sealed class PixelExpertTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cw-experts-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Load_ManifestWithAnExpert_ScoresTilesInItsRangeWithItsTreesAndThreshold()
    {
        WriteModelWithExpert("expert-fine.zip", sha => sha);
        var expertTrees = PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v4")).Trees;

        var model = PixelModelFile.Load(_folder, out _, out var sha);

        Assert.Equal(0.33, model.ThresholdFor(0.5));
        Assert.Equal(model.Threshold, model.ThresholdFor(1.5));
        Assert.NotNull(model.ExpertFor(0.5));
        Assert.Null(model.ExpertFor(0.8));
        Assert.Null(model.ExpertFor(null));
        var (fine, coarse) = (Score(model, 0.5), Score(model, 1.5));
        Assert.Equal(Score(new PixelChangeModel(expertTrees, 0.33, model.Stride, model.Gate), 0.5), fine);
        Assert.Equal(Score(new PixelChangeModel(model.Trees, 0.5, model.Stride, model.Gate), 1.5), coarse);
        Assert.NotEqual(fine, Score(new PixelChangeModel(model.Trees, 0.5, model.Stride, model.Gate), 0.5));
        var zipOnly = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(_folder, "model.zip"))));
        Assert.NotEqual(zipOnly, sha);
    }

    [Fact]
    public void Load_ShippedV5_ServesEachTrainingResolutionWithAnExpertAndOthersWithThePooledModel()
    {
        var folder = Path.Combine(Some.ModelDirectory(), "v5");

        var model = PixelModelFile.Load(folder, out var manifest, out var sha);

        Assert.Equal(3, model.Experts.Count);
        Assert.All(new[] { 0.5, 1.5, 10.0 }, gsd => Assert.NotNull(model.ExpertFor(gsd)));
        Assert.All(new double?[] { 0.3, 0.9, 3.0, 20.0, null }, gsd => Assert.Null(model.ExpertFor(gsd)));
        Assert.Equal(manifest.ResolutionExperts!.Single(e => e.Dataset == "levir").Threshold, model.ThresholdFor(0.5));
        Assert.Equal(ResolutionThreshold.Select(manifest.ResolutionThresholds!, manifest.Threshold, 3.0), model.ThresholdFor(3.0));
        Assert.NotEqual(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, "model.zip")))), sha);
    }

    [Fact]
    public void Load_ExpertWithASmoothing_SmoothsItsTilesSoAndTheHashCoversIt()
    {
        WriteModelWithExpert("expert-fine.zip", sha => sha);
        var plain = PixelModelFile.Load(_folder, out _, out var plainSha);
        WriteModelWithExpert("expert-fine.zip", sha => sha, smoothing: "guided:4:0.2");

        var model = PixelModelFile.Load(_folder, out _, out var sha);

        var guided = new ProbabilitySmoothing(SmoothingKind.Guided, 4, 0.2);
        Assert.Equal(guided, model.ExpertFor(0.5)!.Smoothing);
        Assert.Null(plain.ExpertFor(0.5)!.Smoothing);
        Assert.NotEqual(plainSha, sha);
        Assert.Equal(Score(new PixelChangeModel(model.ExpertFor(0.5)!.Trees, 0.33, model.Stride, model.Gate) { Smoothing = guided }, 0.5), Score(model, 0.5));
        Assert.NotEqual(Score(plain, 0.5), Score(model, 0.5));
        Assert.Equal(Score(plain, 1.5), Score(model, 1.5));
    }

    [Fact]
    public void Load_ExpertWithAnUnknownSmoothing_IsRefused()
    {
        WriteModelWithExpert("expert-fine.zip", sha => sha, smoothing: "gaussian:4");

        var ex = Assert.Throws<InvalidDataException>(() => PixelModelFile.Load(_folder));

        Assert.Contains("gaussian:4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_WithSeveralSmoothings_WritesWhatEachSmoothingAloneWrites()
    {
        var trees = PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v3")).Trees;
        ProbabilitySmoothing[] smoothings = [ProbabilitySmoothing.Default, new(SmoothingKind.Box, 4), new(SmoothingKind.Guided, 8, 1)];
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var geo = new GeoReference(32633, new GeoTransform(500_000, 1, 0, 4_000_000, 0, -1));
        var (before, after) = (Crop(pair.Before, pair, 96, geo), Crop(pair.After, pair, 96, geo));
        float[][] maps = [.. smoothings.Select(_ => new float[96 * 96])];

        new PixelChangeModel(trees, 0.5, stride: 2, gate: 0.3).Score(before, after, smoothings, maps);

        for (var k = 0; k < smoothings.Length; k++)
        {
            var alone = new float[96 * 96];
            new PixelChangeModel(trees, 0.5, stride: 2, gate: 0.3) { Smoothing = smoothings[k] }.Score(before, after, alone);
            Assert.Equal(alone, maps[k]);
        }

        Assert.NotEqual(maps[0], maps[2]);
    }

    [Fact]
    public void Score_WithEvidence_RanksOnTheBoxMeanWhateverTheSmoothing()
    {
        var trees = PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v3")).Trees;
        var pair = SyntheticPixelPairs.Generate(1)[0];
        var geo = new GeoReference(32633, new GeoTransform(500_000, 1, 0, 4_000_000, 0, -1));
        var (before, after) = (Crop(pair.Before, pair, 96, geo), Crop(pair.After, pair, 96, geo));
        var boxModel = new PixelChangeModel(trees, 0.5, stride: 2, gate: 0.3);
        var guidedModel = new PixelChangeModel(trees, 0.5, stride: 2, gate: 0.3) { Smoothing = new ProbabilitySmoothing(SmoothingKind.Guided, 4, 0.2) };
        var (boxMap, boxEvidence, guidedMap, guidedEvidence) = (new float[96 * 96], new float[96 * 96], new float[96 * 96], new float[96 * 96]);

        boxModel.Score(before, after, boxMap, boxEvidence, null);
        guidedModel.Score(before, after, guidedMap, guidedEvidence, null);

        Assert.Equal(boxMap, boxEvidence);
        Assert.Equal(boxMap, guidedEvidence);
        Assert.NotEqual(boxMap, guidedMap);
        var alone = new float[96 * 96];
        guidedModel.Score(before, after, alone);
        Assert.Equal(alone, guidedMap);
    }

    [Fact]
    public void Train_WithSmoothings_ComparesThemOnTheSameMapsAndRecordsTheOneKept()
    {
        var pairs = SyntheticPixelPairs.Generate(3);
        var samples = pairs.ToDictionary(p => p, p => PixelSamples.Draw(p, 300, 300, 1));
        PixelTreeSettings[] candidates = [new(4, 4)];
        ProbabilitySmoothing[] smoothings = [ProbabilitySmoothing.Default, new(SmoothingKind.Guided, 4, 0.2)];

        var a = ExpertTraining.Train(pairs, samples, candidates, stride: 2, gate: 0, seed: 1, smoothings: smoothings);
        var b = ExpertTraining.Train(pairs, samples, candidates, stride: 2, gate: 0, seed: 1, smoothings: smoothings);
        var boxOnly = ExpertTraining.Train(pairs, samples, candidates, stride: 2, gate: 0, seed: 1);

        Assert.Equal(2, a.Candidates.Count);
        Assert.Equal(a.Candidates.Max(c => c.F1), a.ValidationF1);
        Assert.Equal(a.Candidates[Array.IndexOf(smoothings, a.SmoothingOrDefault)].F1, a.ValidationF1);
        Assert.NotNull(a.Smoothing);
        Assert.Equal(a.Smoothing, a.ToPixelExpert().Smoothing);
        Assert.Equal((a.Smoothing, a.Threshold), (b.Smoothing, b.Threshold));
        Assert.Null(boxOnly.Smoothing);
        Assert.Equal(a.Candidates[0].F1, boxOnly.ValidationF1);
        Assert.Throws<ArgumentException>(() => ExpertTraining.Train(pairs, samples, candidates, 2, 0, 1, smoothings: [ProbabilitySmoothing.Default, ProbabilitySmoothing.Default]));
    }

    [Fact]
    public void Load_ExpertWhoseHashDiffersFromTheManifest_IsRefused()
    {
        WriteModelWithExpert("expert-fine.zip", sha => new string('0', sha.Length));

        var ex = Assert.Throws<InvalidDataException>(() => PixelModelFile.Load(_folder));

        Assert.Contains("SHA-256", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../model.zip")]
    [InlineData("sub/expert.zip")]
    [InlineData("/etc/passwd")]
    public void Load_ExpertNamedByAPath_IsRefused(string file)
    {
        WriteModelWithExpert(file, sha => sha);

        Assert.Throws<InvalidDataException>(() => PixelModelFile.Load(_folder));
    }

    [Fact]
    public void Experts_OverlappingRanges_AreRefused()
    {
        var trees = PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v3")).Trees;

        Assert.Throws<ArgumentException>(() => new PixelChangeModel(trees, 0.8) { Experts = [new(0.3, 0.8, trees, 0.4), new(0.7, 2, trees, 0.5)] });
    }

    [Fact]
    public void With_ThresholdOverride_AppliesToEveryExpertAndResolution()
    {
        var trees = PixelModelFile.Load(Path.Combine(Some.ModelDirectory(), "v3")).Trees;
        var model = new PixelChangeModel(trees, 0.8) { Experts = [new(0.33, 0.75, trees, 0.4)], ResolutionThresholds = [new(3, 0.6)] };

        var overridden = model.With(threshold: 0.2);
        var restrided = model.With(stride: 2);

        Assert.Equal([0.2, 0.2, 0.2], new[] { overridden.ThresholdFor(0.5), overridden.ThresholdFor(2), overridden.ThresholdFor(10) });
        Assert.Equal([0.4, 0.6, 0.8], new[] { restrided.ThresholdFor(0.5), restrided.ThresholdFor(2), restrided.ThresholdFor(10) });
        Assert.Equal(2, restrided.Stride);
    }

    [Fact]
    public void Train_SmallSyntheticDataset_ChoosesTheCandidateWithTheBestCrossValidatedF1Deterministically()
    {
        var pairs = SyntheticPixelPairs.Generate(3);
        var samples = pairs.ToDictionary(p => p, p => PixelSamples.Draw(p, 300, 300, 1));
        PixelTreeSettings[] candidates = [new(4, 4), new(12, 8)];

        var a = ExpertTraining.Train(pairs, samples, candidates, stride: 2, gate: 0, seed: 1);
        var b = ExpertTraining.Train(pairs, samples, candidates, stride: 2, gate: 0, seed: 1);

        Assert.Equal(2, a.Candidates.Count);
        Assert.Equal(a.Candidates.MaxBy(c => c.F1).Settings, a.Settings);
        Assert.Equal(a.Candidates.Max(c => c.F1), a.ValidationF1);
        Assert.InRange(a.Threshold, 0.001, 0.999);
        Assert.Equal((a.Settings, a.Threshold), (b.Settings, b.Threshold));
        Assert.Equal(a.Candidates, b.Candidates);
        var expert = a.ToPixelExpert();
        Assert.True(expert.Covers(SyntheticPixelPairs.GroundSampleDistance));
        Assert.False(expert.Covers(SyntheticPixelPairs.GroundSampleDistance * 2));
    }

    [Fact]
    public void Train_WithSampleBudgets_TriesEachBudgetWithEachTreeSizeAndKeepsTheBest()
    {
        var pairs = SyntheticPixelPairs.Generate(3);
        PixelTreeSettings[] candidates = [new(4, 4), new(12, 8)];

        var a = ExpertTraining.Train(pairs, new Dictionary<ChangePair, PixelSamples>(), candidates, stride: 2, gate: 0, seed: 1, budgets: [600, 2400]);
        var b = ExpertTraining.Train(pairs, new Dictionary<ChangePair, PixelSamples>(), candidates, stride: 2, gate: 0, seed: 1, budgets: [600, 2400]);

        Assert.Equal(4, a.Candidates.Count);
        Assert.Equal([600, 600, 2400, 2400], a.Candidates.Select(c => c.Samples ?? 0));
        var best = a.Candidates.MaxBy(c => c.F1);
        Assert.Equal((best.Settings, best.Samples), (a.Settings, a.Samples));
        Assert.Equal(a.Candidates, b.Candidates);
    }

    [Fact]
    public void DrawPerDataset_SplitsEachDatasetsBudgetOverItsPairsWithBalancedClasses()
    {
        var pairs = SyntheticPixelPairs.Generate(3);
        List<ChangePair> mixed = [pairs[0], pairs[1] with { Dataset = "levir" }, pairs[2] with { Dataset = "levir" }];

        var rows = PixelSamples.DrawPerDataset(mixed, _ => 1200, seed: 1);

        Assert.True(mixed.All(rows.ContainsKey));
        Assert.InRange(rows[mixed[0]].Count, 900, 1260); // one pair: up to 600 + 600 rows (fewer where a class is short)
        Assert.InRange(rows[mixed[1]].Count, 400, 660); // two pairs share the budget: up to 300 + 300 each
        Assert.InRange(rows[mixed[0]].Labels.Count(l => l), 400, 660);
        Assert.Equal(rows[mixed[1]].Labels, PixelSamples.DrawPerDataset(mixed, _ => 1200, seed: 1)[mixed[1]].Labels);
    }

    [Fact]
    public void Train_WithBothDateOrders_TriesEachOrderAndRecordsTheOneKept()
    {
        var pairs = SyntheticPixelPairs.Generate(3);
        var samples = pairs.ToDictionary(p => p, p => PixelSamples.Draw(p, 300, 300, 1));
        PixelTreeSettings[] candidates = [new(4, 4)];

        var a = ExpertTraining.Train(pairs, samples, candidates, stride: 2, gate: 0, seed: 1, orders: [DateOrder.Forward, DateOrder.Both], defaultBudget: 1800);
        var b = ExpertTraining.Train(pairs, samples, candidates, stride: 2, gate: 0, seed: 1, orders: [DateOrder.Forward, DateOrder.Both], defaultBudget: 1800);
        var bothOnly = ExpertTraining.Train(pairs, samples, candidates, stride: 2, gate: 0, seed: 1, orders: [DateOrder.Both], defaultBudget: 1800);

        Assert.Equal(2, a.Candidates.Count);
        Assert.Equal(a.Candidates.Max(c => c.F1), a.ValidationF1);
        Assert.Equal(a.Candidates[a.Order == DateOrder.Forward ? 0 : 1].F1, a.ValidationF1);
        Assert.Equal((a.Order, a.Threshold), (b.Order, b.Threshold));
        Assert.Equal(DateOrder.Both, bothOnly.Order);
        Assert.Equal(a.Candidates[1].F1, bothOnly.ValidationF1);
        Assert.Throws<ArgumentException>(() => ExpertTraining.Train(pairs, samples, candidates, 2, 0, 1, orders: [DateOrder.Both, DateOrder.Both]));
    }

    [Fact]
    public void DrawBothOrders_HalfTheRowsAsGiven_HalfWithTheDatesSwapped()
    {
        var pairs = SyntheticPixelPairs.Generate(3);
        var swappedPair = pairs[0] with { Before = pairs[0].After, After = pairs[0].Before };

        var rows = PixelSamples.DrawBothOrders(pairs, 3600, seed: 1)[pairs[0]];
        var forward = PixelSamples.Draw(pairs[0], 300, 300, 1);
        var swapped = PixelSamples.Draw(swappedPair, 300, 300, 1 + PixelSamples.SwappedSeedOffset);

        Assert.Equal(forward.Count + swapped.Count, rows.Count);
        Assert.InRange(rows.Count, 900, 1200); // a quarter of each pair's 1 200 rows per class and order, fewer where a class is short
        Assert.Equal([.. forward.Features, .. swapped.Features], rows.Features);
        Assert.Equal([.. forward.Labels, .. swapped.Labels], rows.Labels);
        Assert.Equal(rows.Features, PixelSamples.DrawBothOrders(pairs, 3600, seed: 1)[pairs[0]].Features);

        // Swapped means the dates change places: at the same pixels (same seed) every after − before difference flips sign.
        var sameDraw = PixelSamples.Draw(swappedPair, 300, 300, 1);
        var width = PixelFeatures.Count;
        var f = (int)PixelFeature.LuminanceDifferenceMean15;
        Assert.Equal(forward.Labels, sameDraw.Labels);
        Assert.All(Enumerable.Range(0, forward.Count), r => Assert.Equal(-forward.Features[r * width + f], sameDraw.Features[r * width + f], 1e-4));
        Assert.Contains(Enumerable.Range(0, forward.Count), r => Math.Abs(forward.Features[r * width + f]) > 0.1);
    }

    [Fact]
    public void KnownOptions_AreTheUsageTextsOfEachVerb()
    {
        var eval = ChangeWatch.Training.Program.KnownOptions("eval")!;
        var counter = ChangeWatch.Training.Program.KnownOptions("train-counter")!;

        Assert.Contains("expert-orders", eval);
        Assert.Contains("expert-smoothing", eval);
        Assert.Contains("expert-smoothing", ChangeWatch.Training.Program.KnownOptions("train-pixel")!);
        Assert.Contains("count-scenes", eval);
        Assert.Contains("json", eval);
        Assert.Contains("version", counter);
        Assert.DoesNotContain("count-scenes", counter);
        Assert.Contains("models", ChangeWatch.Training.Program.KnownOptions("bench-scoring")!);
        Assert.Null(ChangeWatch.Training.Program.KnownOptions("no-such-verb"));
    }

    [Fact]
    public void Main_MistypedOption_IsRefusedNotIgnored()
    {
        Assert.Equal(2, ChangeWatch.Training.Program.Main(["eval", "--dataset", "synthetic", "--only", "counts", "--count-scene", "5"]));
    }

    [Theory]
    [InlineData("forward", false)]
    [InlineData(" both", true)]
    public void DateOrders_Parse_ReadsTheCommandLineNames(string name, bool both)
    {
        var expected = both ? DateOrder.Both : DateOrder.Forward;
        Assert.Equal(expected, DateOrders.Parse(name));
        Assert.Equal(name.Trim(), expected.Name());
        Assert.Throws<FormatException>(() => DateOrders.Parse("backwards"));
    }

    [Fact]
    public void Train_PairsOfTwoDatasets_IsRefused()
    {
        var pairs = SyntheticPixelPairs.Generate(2);
        List<ChangePair> mixed = [pairs[0], pairs[1] with { Dataset = "levir" }];

        Assert.Throws<ArgumentException>(() => ExpertTraining.Train(mixed, new Dictionary<ChangePair, PixelSamples>(), ExpertTraining.DefaultCandidates, 2, 0, 1));
    }

    private static float[] Score(PixelChangeModel model, double metres)
    {
        var pair = SyntheticPixelPairs.Generate(1)[0];
        const int Size = 96;
        var geo = new GeoReference(32633, new GeoTransform(500_000, metres, 0, 4_000_000, 0, -metres));
        var before = Crop(pair.Before, pair, Size, geo);
        var after = Crop(pair.After, pair, Size, geo);
        var probability = new float[Size * Size];
        model.Score(before, after, probability);
        return probability;
    }

    private static TileRaster Crop(float[] data, ChangePair pair, int size, GeoReference geo)
    {
        var crop = new float[pair.Bands * size * size];
        for (var b = 0; b < pair.Bands; b++)
        {
            for (var y = 0; y < size; y++)
            {
                data.AsSpan(b * pair.PixelCount + y * pair.Width, size).CopyTo(crop.AsSpan(b * size * size + y * size, size));
            }
        }

        return new TileRaster(size, size, pair.Bands, crop, geo);
    }

    private void WriteModelWithExpert(string file, Func<string, string> editSha, string? smoothing = null)
    {
        var pooled = Path.Combine(Some.ModelDirectory(), "v3");
        var expert = Path.Combine(Some.ModelDirectory(), "v4", "model.zip");
        File.Copy(Path.Combine(pooled, "model.zip"), Path.Combine(_folder, "model.zip"), overwrite: true);
        if (!file.Contains('/', StringComparison.Ordinal))
        {
            File.Copy(expert, Path.Combine(_folder, file), overwrite: true);
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(expert)));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(pooled, "model.json")))!.AsObject();
        manifest["resolutionExperts"] = new JsonArray(new JsonObject
        {
            ["file"] = file,
            ["dataset"] = "levir",
            ["groundSampleDistance"] = 0.5,
            ["minGroundSampleDistance"] = 0.3333,
            ["maxGroundSampleDistance"] = 0.75,
            ["threshold"] = 0.33,
            ["sha256"] = editSha(sha),
            ["trees"] = 60,
            ["leaves"] = 31,
        });
        if (smoothing is not null)
        {
            manifest["resolutionExperts"]![0]!["smoothing"] = smoothing;
        }

        File.WriteAllText(Path.Combine(_folder, "model.json"), manifest.ToJsonString());
    }
}
