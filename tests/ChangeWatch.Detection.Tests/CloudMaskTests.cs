using ChangeWatch.Core.Imaging;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Detection.Tests;

public sealed class CloudMaskTests
{
    [Theory]
    [InlineData(11UL, 128, 120, 45, 8)]
    [InlineData(12UL, 90, 160, 30, 8)]
    [InlineData(13UL, 200, 60, 60, 12)]
    public void Mark_SoftCloudInTheAfterDate_IsFoundWithRecallAbove0Point9AndPrecisionAbove0Point85(ulong seed, int cx, int cy, int radius, int softness)
    {
        var pair = new SyntheticScene(256, 256, seed).WithNuisance(new Nuisance { Gain = 1.08, Offset = 4 }).Render();
        var cloud = Clouds.Render(pair.After, cx, cy, radius, softness, shadowDx: 0, shadowDy: 0);
        var reasons = new byte[256 * 256];

        var (cloudPixels, _, _) = CloudMask.Mark(cloud.Raster, pair.Before, reasons);

        var (recall, precision) = cloud.Score(reasons, MaskReason.Cloud, shadow: false);
        TestContext.Current.TestOutputHelper?.WriteLine($"cloud recall {recall:F3}, precision {precision:F3}, {cloudPixels} px masked");
        Assert.True(recall >= 0.9 && precision >= 0.85, $"cloud recall {recall:F3}, precision {precision:F3}, {cloudPixels} px masked");
    }

    [Fact]
    public void Mark_CloudWithItsShadow_MasksTheShadowNearTheCloud()
    {
        var pair = new SyntheticScene(256, 256, 14).Render();
        var cloud = Clouds.Render(pair.After, 100, 100, 35, 7, shadowDx: 40, shadowDy: 30);
        var reasons = new byte[256 * 256];

        var (_, shadowPixels, _) = CloudMask.Mark(cloud.Raster, pair.Before, reasons);

        var (recall, precision) = cloud.Score(reasons, MaskReason.CloudShadow, shadow: true);
        TestContext.Current.TestOutputHelper?.WriteLine($"shadow recall {recall:F3}, precision {precision:F3}, {shadowPixels} px masked");
        Assert.True(recall >= 0.8 && precision >= 0.8, $"shadow recall {recall:F3}, precision {precision:F3}, {shadowPixels} px masked");
    }

    [Theory]
    [InlineData(30, 30)]
    [InlineData(60, 24)]
    public void Mark_SharpEdgedWhiteRoofAppearing_IsNotMasked(int width, int height)
    {
        var pair = Some.QuietPair(seed: 15);
        var after = Some.Map(pair.After, v => v);
        for (var b = 0; b < after.BandCount; b++)
        {
            for (var y = 100; y < 100 + height; y++)
            {
                after.Row(b, y).Slice(80, width).Fill(232f);
            }
        }

        var reasons = new byte[256 * 256];

        var (cloudPixels, shadowPixels, _) = CloudMask.Mark(after, pair.Before, reasons);

        Assert.Equal(0, cloudPixels);
        Assert.Equal(0, shadowPixels);
    }

    [Theory]
    [InlineData(NuisanceLevel.Mild)]
    [InlineData(NuisanceLevel.Strong)]
    public void Mark_NuisancesWithoutClouds_MaskLessThanOnePercent(NuisanceLevel level)
    {
        var masked = 0;
        for (var seed = 40UL; seed < 46; seed++)
        {
            var nuisance = Nuisance.Draw(new ScenarioRandom(seed), level);
            var pair = new SyntheticScene(256, 256, seed).WithNuisance(nuisance).Render();
            var reasons = new byte[256 * 256];
            var (a, b, _) = CloudMask.Mark(pair.After, pair.Before, reasons);
            var (c, d, _) = CloudMask.Mark(pair.Before, pair.After, reasons);
            masked += a + b + c + d;
        }

        var fraction = masked / (6.0 * 256 * 256);
        Assert.True(fraction < 0.01, $"{fraction:P2} of the pixels masked without any cloud");
    }

    [Fact]
    public void Mark_HazyAfterDate_IsFlaggedHazyAndNotMaskedAsCloud()
    {
        var pair = new SyntheticScene(256, 256, 16).WithNuisance(new Nuisance { Haze = 0.45 }).Render();
        var reasons = new byte[256 * 256];

        var (cloudPixels, _, hazy) = CloudMask.Mark(pair.After, pair.Before, reasons);
        var (_, _, beforeHazy) = CloudMask.Mark(pair.Before, pair.After, new byte[256 * 256]);

        Assert.True(hazy);
        Assert.False(beforeHazy);
        Assert.True(cloudPixels < 0.01 * 256 * 256, $"{cloudPixels} px of haze masked as cloud");
    }

    [Fact]
    public void Mark_NoDataInTheDate_IsMarkedNoData()
    {
        var pair = Some.QuietPair(seed: 17);
        var after = Some.Map(pair.After, v => v);
        after.Row(1, 10)[20] = float.NaN;
        var reasons = new byte[256 * 256];

        CloudMask.Mark(after, pair.Before, reasons);

        Assert.Equal((byte)MaskReason.NoData, reasons[10 * 256 + 20]);
        Assert.Equal(1, reasons.Count(r => r != 0));
    }

    [Fact]
    public void Assess_CloudAppearingInTheAfterDate_DoesNotFlagTheTile()
    {
        var scorer = new MlNetChangeScorer(Some.ModelDirectory(), "v1");
        var pair = Some.QuietPair(seed: 18);
        var cloud = Clouds.Render(pair.After, 130, 120, 50, 10, shadowDx: 45, shadowDy: 35);
        var unmasked = new float[TilePairFeatures.Count];
        TilePairFeatures.Compute(pair.Before, cloud.Raster, unmasked);

        var assessment = scorer.Assess(pair.Before, cloud.Raster, CancellationToken.None);

        Assert.True(scorer.Predict(unmasked) >= scorer.Model.Threshold, "without masks the cloud alone would flag the tile");
        Assert.False(assessment.Flagged, $"p = {assessment.Probability:F3}, masks {assessment.Masks}");
        Assert.True(assessment.Masks!.CloudFraction > 0.08, $"{assessment.Masks}");
        Assert.Equal(assessment.Masks.MaskedFraction, assessment.MaskedFraction, 3);
    }

    [Fact]
    public void CascadeAssess_CloudAppearingInTheAfterDate_DoesNotFlagTheTile()
    {
        var scorer = new CascadeChangeScorer(Some.ModelDirectory(), "v2");
        var pair = Some.QuietPair(seed: 18);
        var cloud = Clouds.Render(pair.After, 130, 120, 50, 10, shadowDx: 45, shadowDy: 35);

        var assessment = scorer.Assess(pair.Before, cloud.Raster, CancellationToken.None);

        Assert.False(assessment.Flagged, $"p = {assessment.Probability:F3}, masks {assessment.Masks}");
        Assert.True(assessment.Masks!.CloudFraction > 0.08, $"{assessment.Masks}");
    }

    [Fact]
    public void Assess_TileMostlyUnderCloud_IsNotAssessable()
    {
        var scorer = new MlNetChangeScorer(Some.ModelDirectory(), "v1");
        var pair = Some.QuietPair(seed: 19);
        var cloud = Clouds.Render(pair.After, 128, 128, 120, 12, shadowDx: 0, shadowDy: 0);

        var assessment = scorer.Assess(pair.Before, cloud.Raster, CancellationToken.None);

        Assert.False(assessment.Assessable, $"{assessment.Masks}");
        Assert.False(assessment.Flagged);
    }

    /// <summary>A cloud rendered over a raster: a bright, nearly white blob with a soft rim and an irregular outline, and optionally its shadow.</summary>
    private sealed class Clouds
    {
        private static readonly float[] White = [236f, 238f, 242f, 230f];

        private Clouds(TileRaster raster, float[] alpha, float[] shadow)
        {
            Raster = raster;
            Alpha = alpha;
            Shadow = shadow;
        }

        public TileRaster Raster { get; }

        /// <summary>Cloud opacity per pixel, 0-1.</summary>
        public float[] Alpha { get; }

        /// <summary>Shadow strength per pixel (0-1), 0 under the cloud itself.</summary>
        public float[] Shadow { get; }

        public static Clouds Render(TileRaster raster, int cx, int cy, int radius, int softness, int shadowDx, int shadowDy)
        {
            var (w, h) = (raster.Width, raster.Height);
            var n = w * h;
            var alpha = new float[n];
            var shade = new float[n];
            var copy = Some.Map(raster, v => v);
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    alpha[y * w + x] = Opacity(x - cx, y - cy, radius, softness);
                    var s = shadowDx == 0 && shadowDy == 0 ? 0f : Opacity(x - cx - shadowDx, y - cy - shadowDy, radius, softness);
                    shade[y * w + x] = s * (1 - alpha[y * w + x]);
                }
            }

            for (var b = 0; b < copy.BandCount; b++)
            {
                var band = copy.Band(b);
                for (var i = 0; i < n; i++)
                {
                    var v = band[i] * (1 - 0.55f * shade[i]);
                    band[i] = v + (White[b] - v) * alpha[i];
                }
            }

            return new Clouds(copy, alpha, shade);
        }

        /// <summary>Recall of the pixels at least half covered, and precision against pixels covered at all.</summary>
        public (double Recall, double Precision) Score(byte[] reasons, MaskReason reason, bool shadow)
        {
            var truth = shadow ? Shadow : Alpha;
            int core = 0, found = 0, marked = 0, right = 0;
            for (var i = 0; i < truth.Length; i++)
            {
                var isMarked = (reasons[i] & (byte)reason) != 0;
                if (truth[i] >= 0.5f)
                {
                    core++;
                    found += isMarked ? 1 : 0;
                }

                if (isMarked)
                {
                    marked++;
                    right += truth[i] > 0f ? 1 : 0;
                }
            }

            return ((double)found / Math.Max(1, core), (double)right / Math.Max(1, marked));
        }

        private static float Opacity(double dx, double dy, int radius, int softness)
        {
            var angle = Math.Atan2(dy, dx);
            var edge = radius * (1 + 0.15 * Math.Sin(3 * angle + 0.4) + 0.08 * Math.Cos(5 * angle));
            return (float)Math.Clamp((edge - Math.Sqrt(dx * dx + dy * dy)) / softness, 0, 1);
        }
    }
}
