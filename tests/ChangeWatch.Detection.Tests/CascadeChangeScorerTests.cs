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
    public void Assess_SameGroundWithGainAndNoise_IsNotFlagged()
    {
        var (before, after) = TexturedPair(building: false);

        var result = Shipped.Value.Assess(before, after, TestContext.Current.CancellationToken);

        Assert.False(result.Flagged, $"p99 probability {result.Probability:F3}, {result.ChangeMask?.Count(v => v == 1)} px");
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
