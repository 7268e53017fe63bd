using System.Security.Cryptography;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection.Tests;

/// <summary>The shipped pixel model (ml-models/models/v2) through the cascade scorer the pipeline loads by version.</summary>
public sealed class CascadeChangeScorerTests
{
    private static readonly Lazy<CascadeChangeScorer> Shipped = new(() => new CascadeChangeScorer(Some.ModelDirectory(), "v2"));

    [Fact]
    public void Create_PixelModelVersion_GivesTheCascadeIdentifiedByFileHash()
    {
        var scorer = ChangeScorerFactory.Create(Some.ModelDirectory(), "v2");
        var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Some.ModelDirectory(), "v2", "model.zip"))));

        Assert.IsType<CascadeChangeScorer>(scorer);
        Assert.Equal(("v2", expected), (scorer.Model.Version, scorer.Model.Sha256));
        Assert.IsType<MlNetChangeScorer>(ChangeScorerFactory.Create(Some.ModelDirectory(), "v1"));
    }

    [Fact]
    public void Assess_BrightBuildingAppearsOnTexturedGround_MasksIt()
    {
        var (before, after) = TexturedPair(building: true);

        var result = Shipped.Value.Assess(before, after, TestContext.Current.CancellationToken);

        Assert.True(result.Flagged, $"p99 probability {result.Probability:F3}");
        Assert.NotNull(result.ChangeMask);
        int inside = 0, near = 0;
        for (var y = 112; y < 168; y++)
        {
            for (var x = 112; x < 168; x++)
            {
                var masked = result.ChangeMask[y * 288 + x];
                near += masked;
                inside += x is >= 120 and < 160 && y is >= 120 and < 160 ? masked : 0;
            }
        }

        // Measured: the mask covers about a quarter of the roof (its rim more than its flat middle) and nothing far from it.
        var total = result.ChangeMask.Count(v => v == 1);
        Assert.True(inside >= 300, $"{inside} of 1600 building pixels masked");
        Assert.True(near >= 0.9 * total, $"{near} of {total} masked pixels within 8 px of the building");
    }

    [Fact]
    public void Assess_EdgeTileMostlyPastTheScene_IsJudgedOnWhatLiesInside_AndMasksTheBuilding()
    {
        // The window's columns from 176 and rows from 200 lie past both scenes' edge (58 % of it): judged on the 42 %
        // inside, nothing of which is masked, the tile is assessable and the building there is flagged.
        var (before, after) = TexturedPair(building: true);
        (before, after) = (PastTheEdge(before), PastTheEdge(after));

        var result = Shipped.Value.Assess(before, after, TestContext.Current.CancellationToken);

        Assert.True(result.Assessable, $"masked {result.MaskedFraction:F3}, covered {result.CoveredFraction:F3}");
        Assert.Equal(176.0 * 200 / (288 * 288), result.CoveredFraction, 9);
        Assert.True(result.MaskedFraction < 0.02, $"masked {result.MaskedFraction:F3} of the covered part");
        Assert.True(result.Flagged, $"p99 probability {result.Probability:F3}");
        Assert.True(BuildingPixels(result.ChangeMask!) >= 300, $"{BuildingPixels(result.ChangeMask!)} of 1600 building pixels masked");

        static TileRaster PastTheEdge(TileRaster raster)
        {
            var copy = TileAssessabilityTests.Outside(raster, 176);
            for (var b = 0; b < copy.BandCount; b++)
            {
                for (var y = 200; y < copy.Height; y++)
                {
                    copy.Row(b, y).Fill(float.NaN);
                }
            }

            return copy;
        }
    }

    [Theory]
    [InlineData(65536, 65536)]
    [InlineData(65536, 12288)]
    [InlineData(82944, 35200)]
    [InlineData(1000, 1)]
    public void ValidQuantileRank_ValidValuesAmongZeros_GivesTheirOwn99thPercentile(int pixels, int valid)
    {
        // An evidence map: the valid pixels' values in (0, 1], zero elsewhere (masked or past the scene's edge).
        var random = new Random(pixels + valid);
        var values = Enumerable.Range(0, valid).Select(_ => (float)(0.001 + random.NextDouble() * 0.999)).ToArray();
        var map = values.Concat(new float[pixels - valid]).OrderBy(_ => random.Next()).ToArray();
        var expected = values.Order().ElementAt(Math.Max(0, (int)Math.Ceiling(0.99 * valid) - 1));

        var quantile = CascadeChangeScorer.ProbabilityQuantile(map, CascadeChangeScorer.ValidQuantileRank(pixels, valid, 0.99), new int[pixels]);

        Assert.Equal(expected, quantile);
    }

    [Fact]
    public void Assess_SameGroundWithGainAndNoise_IsNotFlagged()
    {
        var (before, after) = TexturedPair(building: false);

        var result = Shipped.Value.Assess(before, after, TestContext.Current.CancellationToken);

        Assert.False(result.Flagged, $"p99 probability {result.Probability:F3}, {result.ChangeMask?.Count(v => v == 1)} px");
    }

    [Fact]
    public void Assess_CoarseToFineGateOnABuilding_MasksWhatEveryGridPointMasks()
    {
        var (before, after) = TexturedPair(building: true);
        var times = new ScoringStepTimes();
        var gated = new CascadeChangeScorer(Some.ModelDirectory(), "v2", strideOverride: 3, gateOverride: 0.3) { Times = times };
        var every = new CascadeChangeScorer(Some.ModelDirectory(), "v2", strideOverride: 3);

        var result = gated.Assess(before, after, TestContext.Current.CancellationToken);
        var reference = every.Assess(before, after, TestContext.Current.CancellationToken);

        Assert.True(result.Flagged, $"p99 probability {result.Probability:F3}");
        var (kept, found) = (BuildingPixels(result.ChangeMask!), BuildingPixels(reference.ChangeMask!));
        Assert.True(found >= 200 && kept >= 0.95 * found, $"{kept} building pixels masked with the gate, {found} without");
        Assert.InRange(times.PointsEvaluated, 1, times.Points - 1);
    }

    [Fact]
    public void Assess_CoarseToFineGateOnUnchangedGround_EvaluatesFewerPointsAndFlagsNothing()
    {
        var (before, after) = TexturedPair(building: false);
        var gatedTimes = new ScoringStepTimes();
        var everyTimes = new ScoringStepTimes();
        var gated = new CascadeChangeScorer(Some.ModelDirectory(), "v2", strideOverride: 3, gateOverride: 0.3) { Times = gatedTimes };
        var every = new CascadeChangeScorer(Some.ModelDirectory(), "v2", strideOverride: 3) { Times = everyTimes };

        var result = gated.Assess(before, after, TestContext.Current.CancellationToken);
        every.Assess(before, after, TestContext.Current.CancellationToken);

        Assert.False(result.Flagged);
        Assert.Equal(everyTimes.Points, everyTimes.PointsEvaluated);
        Assert.True(gatedTimes.PointsEvaluated < 0.5 * gatedTimes.Points, $"{gatedTimes.PointsEvaluated} of {gatedTimes.Points} grid points evaluated");
    }

    [Fact]
    public void Create_V3_LoadsTheGridAndGateOfItsManifestAndMasksABuilding()
    {
        var scorer = Assert.IsType<CascadeChangeScorer>(ChangeScorerFactory.Create(Some.ModelDirectory(), "v3"));
        var (before, after) = TexturedPair(building: true);

        var result = scorer.Assess(before, after, TestContext.Current.CancellationToken);

        Assert.Equal((2, 0.3), (scorer.PixelModel.Stride, scorer.PixelModel.Gate));
        Assert.Equal(scorer.Manifest.Threshold, scorer.Model.Threshold);
        Assert.True(result.Flagged && BuildingPixels(result.ChangeMask!) >= 200, $"p99 probability {result.Probability:F3}");
    }

    [Fact]
    public void ProbabilityQuantile_AnyRank_EqualsTheSortedValue()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 5000).Select(i => i % 7 == 0 ? 0f : i % 11 == 0 ? 1f : (float)random.NextDouble()).ToArray();
        var sorted = values.Order().ToArray();

        foreach (var rank in new[] { 0, 1, 714, 2500, 4949, 4950, 4999 })
        {
            Assert.Equal(sorted[rank], CascadeChangeScorer.ProbabilityQuantile(values, rank, new int[values.Length]));
        }
    }

    [Fact]
    public void Assess_WithoutChangeType_FlagsTheSameTileUnclassified()
    {
        var (before, after) = TexturedPair(building: true);
        var untyped = new CascadeChangeScorer(Some.ModelDirectory(), "v2") { ClassifyChangeType = false };

        var result = untyped.Assess(before, after, TestContext.Current.CancellationToken);
        var typed = Shipped.Value.Assess(before, after, TestContext.Current.CancellationToken);

        Assert.Equal((typed.Flagged, typed.Probability), (result.Flagged, result.Probability));
        Assert.Equal(typed.ChangeMask, result.ChangeMask);
        Assert.Equal(ChangeTypeRule.Unclassified, result.ChangeType);
    }

    [Fact]
    public void Assess_WithoutObjectCounts_FlagsTheSameTileWithoutCounts()
    {
        var (plainBefore, plainAfter) = TexturedPair(building: true);
        var metre = new GeoReference(0, new GeoTransform(0, 1, 0, 0, 0, -1)); // 1 m pixels: flagged tiles get counts
        var (before, after) = (new TileRaster(288, 288, 3, plainBefore.Data, metre), new TileRaster(288, 288, 3, plainAfter.Data, metre));
        var uncounted = new CascadeChangeScorer(Some.ModelDirectory(), "v2") { CountObjects = false };

        var result = uncounted.Assess(before, after, TestContext.Current.CancellationToken);
        var counted = Shipped.Value.Assess(before, after, TestContext.Current.CancellationToken);

        Assert.NotNull(counted.Objects);
        Assert.Null(result.Objects);
        Assert.Equal((counted.Flagged, counted.Probability, counted.ChangeType), (result.Flagged, result.Probability, result.ChangeType));
        Assert.Equal(counted.ChangeMask, result.ChangeMask);
    }

    private static int BuildingPixels(byte[] mask)
    {
        var count = 0;
        for (var y = 120; y < 160; y++)
        {
            for (var x = 120; x < 160; x++)
            {
                count += mask[y * 288 + x];
            }
        }

        return count;
    }

    /// <summary>A 288 px RGB tile (256 + 16 px context) of fields; the after date has 10 % more gain and new noise, and optionally a 40 × 40 bright roof.</summary>
    private static (TileRaster Before, TileRaster After) TexturedPair(bool building)
    {
        const int s = 288, n = s * s;
        var random = new Random(5);
        var before = new float[3 * n];
        var after = new float[3 * n];
        for (var i = 0; i < n; i++)
        {
            var (x, y) = (i % s, i / s);
            var field = ((x / 48) + (y / 40)) % 3;
            for (var b = 0; b < 3; b++)
            {
                var ground = 70 + 25 * field + 10 * b + 6 * MathF.Sin(x * 0.7f) * MathF.Cos(y * 0.5f);
                before[b * n + i] = ground + (float)random.NextDouble() * 6;
                var roof = building && x >= 120 && x < 160 && y >= 120 && y < 160;
                after[b * n + i] = roof ? 235 + (float)random.NextDouble() * 4 : 1.1f * ground + (float)random.NextDouble() * 6;
            }
        }

        return (new TileRaster(s, s, 3, before), new TileRaster(s, s, 3, after));
    }
}
