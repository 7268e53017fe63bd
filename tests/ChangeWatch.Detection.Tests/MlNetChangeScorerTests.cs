using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ChangeWatch.Detection;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Detection.Tests;

/// <summary>The shipped model (ml-models/models/v1) through the production scorer.</summary>
public sealed class MlNetChangeScorerTests
{
    private static readonly Lazy<MlNetChangeScorer> Shipped = new(() => new MlNetChangeScorer(Some.ModelDirectory(), "v1"));

    [Fact]
    public void Constructor_ShippedModel_IdentifiesItByFileHash()
    {
        var scorer = Shipped.Value;
        var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Some.ModelDirectory(), "v1", "model.zip"))));

        Assert.Equal("v1", scorer.Model.Version);
        Assert.Equal(expected, scorer.Model.Sha256);
        Assert.InRange(scorer.Model.Threshold, 0.05, 0.95);
    }

    [Fact]
    public void Assess_VehicleParkArriving_IsFlaggedWithMaskOnTheVehicles()
    {
        var pair = new SyntheticScene(256, 256, 1234)
            .AddVehicles(Formation.Park, 30)
            .WithNuisance(new Nuisance { Gain = 1.08, Season = 0.15, NoiseSigma = 1.5, ShiftX = 0.4, ShiftY = -0.3 })
            .Render();

        var result = Shipped.Value.Assess(pair.Before, pair.After, TestContext.Current.CancellationToken);

        Assert.True(result.Flagged, $"probability {result.Probability}");
        Assert.True(result.Probability >= Shipped.Value.Model.Threshold);
        Assert.NotNull(result.ChangeMask);
        var maskPixels = result.ChangeMask.Count(v => v == 1);
        var onVehicles = Enumerable.Range(0, pair.Label.Length).Count(i => result.ChangeMask[i] == 1 && NearLabel(pair, i, 3));
        Assert.True(maskPixels > 50, $"mask {maskPixels} px");
        Assert.True(onVehicles >= 0.7 * maskPixels, $"{onVehicles} of {maskPixels} mask pixels near the vehicles");
    }

    [Fact]
    public void Assess_NuisanceOnlyPair_IsNotFlagged()
    {
        var pair = new SyntheticScene(256, 256, 99)
            .AddVehicles(Formation.Dispersed, 8, ChangeKind.None)
            .WithNuisance(new Nuisance { Gain = 0.9, Offset = 5, Season = 0.3, Haze = 0.1, NoiseSigma = 2, ShiftX = 0.5, ShiftY = 0.4 })
            .Render();

        var result = Shipped.Value.Assess(pair.Before, pair.After, TestContext.Current.CancellationToken);

        Assert.False(result.Flagged, $"probability {result.Probability}");
        Assert.True(result.Assessable);
        Assert.Null(result.ChangeMask);
        Assert.Equal(ChangeTypeRule.Unclassified, result.ChangeType);
    }

    [Fact]
    public void Assess_EdgeTileMostlyPastTheScene_IsJudgedOnWhatLiesInside()
    {
        // A vehicle park in the left 104 columns of the window; the rest lies past both scenes' edge (59 % of it).
        var pair = new SyntheticScene(256, 256, 1234)
            .AddVehicles(Formation.Park, 30, ChangeKind.ObjectBuildUp, new Core.Imaging.PixelWindow(16, 40, 80, 150), "park")
            .WithNuisance(new Nuisance { Gain = 1.08, NoiseSigma = 1.5 })
            .Render();
        var before = TileAssessabilityTests.Outside(pair.Before, 104);
        var after = TileAssessabilityTests.Outside(pair.After, 104);

        var result = Shipped.Value.Assess(before, after, TestContext.Current.CancellationToken);

        Assert.True(result.Assessable, $"masked {result.MaskedFraction:F3}, covered {result.CoveredFraction:F3}");
        Assert.Equal(104.0 / 256, result.CoveredFraction, 9);
        Assert.True(result.MaskedFraction < 0.02, $"masked {result.MaskedFraction:F3} of the covered part");
        Assert.True(result.Flagged, $"probability {result.Probability:F3}");
    }

    [Fact]
    public void Assess_MostlyNoData_IsNotAssessable()
    {
        var pair = new SyntheticScene(256, 256, 3).AddVehicles(Formation.Park, 30).Render();
        var after = Some.Map(pair.After, v => v);
        for (var b = 0; b < after.BandCount; b++)
        {
            after.Band(b)[..(after.Width * 200)].Fill(float.NaN);
        }

        var result = Shipped.Value.Assess(pair.Before, after, TestContext.Current.CancellationToken);

        Assert.False(result.Assessable);
        Assert.False(result.Flagged);
        Assert.True(result.MaskedFraction > 0.5);
    }

    [Fact]
    public void Assess_ConcurrentCalls_GiveTheSameProbabilitiesAsSequential()
    {
        var pairs = Enumerable.Range(0, 6).Select(i => new SyntheticScene(128, 128, (ulong)i).AddRandomChange((ChangeKind)(i % 5)).Render()).ToArray();
        var sequential = pairs.Select(p => Shipped.Value.Assess(p.Before, p.After, TestContext.Current.CancellationToken).Probability).ToArray();

        var concurrent = new double[pairs.Length];
        Parallel.For(0, pairs.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            k => concurrent[k % pairs.Length] = Shipped.Value.Assess(pairs[k % pairs.Length].Before, pairs[k % pairs.Length].After, TestContext.Current.CancellationToken).Probability);

        Assert.Equal(sequential, concurrent);
    }

    [Fact]
    public void Constructor_FeatureListDiffers_FailsWithClearMessage()
    {
        var folder = Directory.CreateTempSubdirectory("cw-model-");
        try
        {
            var target = Directory.CreateDirectory(Path.Combine(folder.FullName, "v1"));
            var source = Path.Combine(Some.ModelDirectory(), "v1");
            File.Copy(Path.Combine(source, "model.zip"), Path.Combine(target.FullName, "model.zip"));
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "model.json")))!;
            json["featureNames"]!.AsArray()[3] = "SomethingElse";
            File.WriteAllText(Path.Combine(target.FullName, "model.json"), json.ToJsonString());

            var ex = Assert.Throws<InvalidDataException>(() => new MlNetChangeScorer(folder.FullName, "v1"));

            Assert.Contains("position 3", ex.Message, StringComparison.Ordinal);
            Assert.Contains("SomethingElse", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Constructor_MissingVersion_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => new MlNetChangeScorer(Some.ModelDirectory(), "v999"));
    }

    [Fact]
    public void Constructor_ThresholdOverride_IsUsed()
    {
        var scorer = new MlNetChangeScorer(Some.ModelDirectory(), "v1", thresholdOverride: 0.99, maxMaskedFraction: 0.2);

        Assert.Equal(0.99, scorer.Model.Threshold);
    }

    private static bool NearLabel(SyntheticPair pair, int index, int radius)
    {
        var (x, y) = (index % pair.Width, index / pair.Width);
        for (var dy = -radius; dy <= radius; dy++)
        {
            for (var dx = -radius; dx <= radius; dx++)
            {
                var (nx, ny) = (x + dx, y + dy);
                if (nx >= 0 && ny >= 0 && nx < pair.Width && ny < pair.Height && pair.Label[ny * pair.Width + nx] == 1)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
