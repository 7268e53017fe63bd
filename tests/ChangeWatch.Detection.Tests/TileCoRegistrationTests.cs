using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Detection.Tests;

public sealed class TileCoRegistrationTests
{
    [Fact]
    public void SubPixelShift_WholePixelShift_MovesContentAndLeavesNoDataWhereNothingCameIn()
    {
        var source = new TileRaster(8, 6, 1, [.. Enumerable.Range(0, 48).Select(i => (float)i)]);

        var shifted = SubPixelShift.Apply(source, 2, -1);

        Assert.Equal(source.Data[0 * 8 + 2], shifted.Data[1 * 8 + 0]); // output (0, 1) = source (2, 0)
        Assert.Equal(source.Data[4 * 8 + 7], shifted.Data[5 * 8 + 5]);
        Assert.True(float.IsNaN(shifted.Data[0]), "row 0 takes source row -1: outside");
        Assert.True(float.IsNaN(shifted.Data[1 * 8 + 6]), "column 6 takes source column 8: outside");
    }

    [Fact]
    public void SubPixelShift_HalfPixelOnALinearRamp_InterpolatesExactly()
    {
        var source = new TileRaster(16, 16, 1, [.. Enumerable.Range(0, 256).Select(i => (float)(3 * (i % 16) + 5 * (i / 16)))]);

        var shifted = SubPixelShift.Apply(source, 0.5, 0.25);

        // Cubic convolution reproduces a linear ramp away from the edges: value at (x + 0.5, y + 0.25).
        Assert.Equal(3 * 6.5 + 5 * 8.25, shifted.Data[8 * 16 + 6], 3);
        Assert.True(float.IsNaN(shifted.Data[3 * 16 + 15]), "the last column takes source column 15.5: outside");
    }

    [Theory]
    [InlineData(0.3, -0.8)]
    [InlineData(1.25, 0.6)]
    [InlineData(-1.7, -1.1)]
    [InlineData(2.4, 1.8)]
    public void Align_SyntheticPairShiftedBySubPixelAmount_RecoversTheShiftTo0Point1Pixel(double dx, double dy)
    {
        var pair = new SyntheticScene(256, 256, 21).WithNuisance(new Nuisance { ShiftX = dx, ShiftY = dy }).Render();

        var (aligned, registration) = TileCoRegistration.Align(pair.Before, pair.After);

        Assert.Equal(CoRegistrationOutcome.Applied, registration.Outcome);
        Assert.True(Math.Abs(registration.EstimatedShiftX - dx) <= 0.1 && Math.Abs(registration.EstimatedShiftY - dy) <= 0.1,
            $"expected ({dx}, {dy}), got ({registration.EstimatedShiftX:F3}, {registration.EstimatedShiftY:F3}), peak {registration.Peak:F3}");
        // The whole-pixel part is applied; the residual is the fraction left, as the second correlation measures it.
        var left = Math.Sqrt(Math.Pow(dx - TileCoRegistration.WholePixels(dx), 2) + Math.Pow(dy - TileCoRegistration.WholePixels(dy), 2));
        Assert.True(Math.Abs(registration.Residual!.Value - left) <= 0.15, $"residual {registration.Residual:F3}, fraction left {left:F3}");
        var unaligned = MeanChangeMagnitude(pair.Before, pair.After, aligned);
        var afterAlignment = MeanChangeMagnitude(pair.Before, aligned, aligned);
        Assert.True(afterAlignment < unaligned, $"mean CVA magnitude {unaligned:F2} unaligned, {afterAlignment:F2} aligned");
    }

    [Theory]
    [InlineData(96, 256, 1.5, 0.4)]
    [InlineData(256, 80, -1.2, 1.1)]
    [InlineData(64, 64, 2.0, -1.0)]
    public void Align_WindowMostlyPastTheSceneEdge_IsMeasuredOnItsPartInside(int insideX, int insideY, double dx, double dy)
    {
        // The part of the window past the scenes' right and bottom edges has no data in either date; the centred 192 px
        // square would be less than half valid, so such tiles went unmeasured (and a 1-2 px misregistration read as
        // change on edge tiles, about one nuisance-only edge tile in ten flagged by v9 in a scratch count).
        var pair = new SyntheticScene(256, 256, 21).WithNuisance(new Nuisance { ShiftX = dx, ShiftY = dy }).Render();
        var (before, after) = (Inside(pair.Before, insideX, insideY), Inside(pair.After, insideX, insideY));

        var (aligned, registration) = TileCoRegistration.Align(before, after);

        Assert.Equal(CoRegistrationOutcome.Applied, registration.Outcome);
        Assert.True(Math.Abs(registration.EstimatedShiftX - dx) <= 0.2 && Math.Abs(registration.EstimatedShiftY - dy) <= 0.2,
            $"expected ({dx}, {dy}), got ({registration.EstimatedShiftX:F3}, {registration.EstimatedShiftY:F3}), peak {registration.Peak:F3}");
        Assert.True(float.IsNaN(insideX < 256 ? aligned.Row(0, 10)[insideX + 5] : aligned.Row(0, insideY + 5)[10])); // outside stays no data

        static TileRaster Inside(TileRaster raster, int width, int height)
        {
            var copy = new TileRaster(raster.Width, raster.Height, raster.BandCount, (float[])raster.Data.Clone());
            for (var b = 0; b < copy.BandCount; b++)
            {
                for (var y = 0; y < copy.Height; y++)
                {
                    if (y >= height)
                    {
                        copy.Row(b, y).Fill(float.NaN);
                    }
                    else
                    {
                        copy.Row(b, y)[width..].Fill(float.NaN);
                    }
                }
            }

            return copy;
        }
    }

    [Theory]
    [InlineData(1.0, -2.0, 0.1)]
    [InlineData(3.0, 1.0, 0.1)]
    [InlineData(1.4, 2.2, 0.35)]
    public void Align_ExactTranslation_LeavesAFractionOfTheChangeMagnitude(double dx, double dy, double fraction)
    {
        // The synthetic renderer shifts by bilinear interpolation, which also blurs the after image: that blur, not
        // misregistration, is what alignment leaves there. An analytic texture sampled at (x − dx, y − dy) has none.
        var before = Texture(256, 256, 0, 0);
        var after = Texture(256, 256, dx, dy);

        var (aligned, registration) = TileCoRegistration.Align(before, after);

        Assert.Equal(CoRegistrationOutcome.Applied, registration.Outcome);
        Assert.True(Math.Abs(registration.EstimatedShiftX - dx) <= 0.1 && Math.Abs(registration.EstimatedShiftY - dy) <= 0.1,
            $"expected ({dx}, {dy}), got ({registration.EstimatedShiftX:F3}, {registration.EstimatedShiftY:F3})");
        var unaligned = MeanChangeMagnitude(before, after, aligned);
        var afterAlignment = MeanChangeMagnitude(before, aligned, aligned);
        Assert.True(afterAlignment < fraction * unaligned, $"mean CVA magnitude {unaligned:F3} unaligned, {afterAlignment:F3} aligned");
    }

    [Fact]
    public void Align_ShiftUnderHalfAPixel_IsMeasuredButNotApplied()
    {
        var pair = new SyntheticScene(256, 256, 24).WithNuisance(new Nuisance { ShiftX = 0.2, ShiftY = -0.3 }).Render();

        var (aligned, registration) = TileCoRegistration.Align(pair.Before, pair.After);

        Assert.Same(pair.After, aligned);
        Assert.Equal(CoRegistrationOutcome.NotNeeded, registration.Outcome);
        // Unapplied estimates get no second look on the aligned pair: under half a pixel they read about 0.1 px short.
        Assert.True(Math.Abs(registration.EstimatedShiftX - 0.2) <= 0.15 && Math.Abs(registration.EstimatedShiftY + 0.3) <= 0.15,
            $"got ({registration.EstimatedShiftX:F3}, {registration.EstimatedShiftY:F3})");
    }

    [Fact]
    public void Align_IdenticalDates_AppliesNothing()
    {
        var pair = Some.QuietPair(seed: 5);

        var (aligned, registration) = TileCoRegistration.Align(pair.Before, pair.Before);

        Assert.Same(pair.Before, aligned);
        Assert.Equal(CoRegistrationOutcome.NotNeeded, registration.Outcome);
    }

    [Fact]
    public void Align_ShiftBeyondTheMaximum_IsRefusedAndTheTileIsLeftUnshifted()
    {
        var pair = new SyntheticScene(256, 256, 22).WithNuisance(new Nuisance { ShiftX = 3.0, ShiftY = 0 }).Render();

        var (aligned, registration) = TileCoRegistration.Align(pair.Before, pair.After, maxShift: 2.0);

        Assert.Same(pair.After, aligned);
        Assert.Equal(CoRegistrationOutcome.RefusedLargeShift, registration.Outcome);
        Assert.Equal(3.0, registration.Residual!.Value, 0.1);
    }

    [Fact]
    public void Align_UnrelatedContent_IsRefusedForAWeakPeak()
    {
        var a = new SyntheticScene(256, 256, 31).Render().Before;
        var b = new SyntheticScene(256, 256, 32).Render().Before;

        var (aligned, registration) = TileCoRegistration.Align(a, b);

        Assert.Same(b, aligned);
        Assert.True(registration.Outcome is CoRegistrationOutcome.RefusedWeakPeak or CoRegistrationOutcome.RefusedLargeShift,
            $"{registration.Outcome}, peak {registration.Peak:F3}, shift ({registration.EstimatedShiftX:F2}, {registration.EstimatedShiftY:F2})");
    }

    [Fact]
    public void Assess_ShiftedPair_RecordsTheShiftAppliedAndTheResidual()
    {
        var scorer = new MlNetChangeScorer(Some.ModelDirectory(), "v1");
        var pair = new SyntheticScene(256, 256, 23).WithNuisance(new Nuisance { ShiftX = -0.8, ShiftY = 1.3 }).Render();

        var assessment = scorer.Assess(pair.Before, pair.After, CancellationToken.None);

        // Measured to 0.1 px, applied in whole pixels: (−1, 1), the (0.2, 0.3) left recorded as the residual.
        Assert.Equal(-0.8, assessment.Registration!.EstimatedShiftX, 0.1);
        Assert.Equal(1.3, assessment.Registration.EstimatedShiftY, 0.1);
        Assert.Equal((-1.0, 1.0), (assessment.ShiftX, assessment.ShiftY));
        Assert.Equal(CoRegistrationOutcome.Applied, assessment.Registration.Outcome);
        Assert.True(Math.Abs(assessment.Registration.Residual!.Value - 0.36) <= 0.15, $"residual {assessment.Registration.Residual:F3}");
        Assert.False(assessment.Flagged, $"a shifted quiet pair must not be flagged (p = {assessment.Probability:F3})");
    }

    /// <summary>Three bands of smooth texture with sharp-ish blobs sampled at (x − dx, y − dy): an exact sub-pixel translation.</summary>
    private static TileRaster Texture(int w, int h, double dx, double dy)
    {
        var raster = new TileRaster(w, h, 3, new float[w * h * 3]);
        for (var b = 0; b < 3; b++)
        {
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var (u, v) = (x - dx, y - dy);
                    var value = 100 + 10 * b
                        + 20 * Math.Sin(u * 0.21 + 0.5 + b) * Math.Cos(v * 0.17)
                        + 15 * Math.Sin(u * 0.05 + v * 0.11)
                        + 10 * Math.Cos(u * 0.37 - v * 0.29 + b)
                        + 40 * Math.Exp(-((u - 120) * (u - 120) + (v - 110) * (v - 110)) / 30.0)
                        + 30 * Math.Exp(-((u - 90) * (u - 90) + (v - 160) * (v - 160)) / 12.0);
                    raster.Row(b, y)[x] = (float)value;
                }
            }
        }

        return raster;
    }

    /// <summary>Mean change-vector magnitude over pixels valid in <paramref name="validIn"/> (so both measurements use the same pixels).</summary>
    private static double MeanChangeMagnitude(TileRaster before, TileRaster after, TileRaster validIn)
    {
        var n = before.Width * before.Height;
        double sum = 0;
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            if (!float.IsFinite(validIn.Data[i]))
            {
                continue;
            }

            double s = 0;
            for (var b = 0; b < before.BandCount; b++)
            {
                var d = after.Data[b * n + i] - before.Data[b * n + i];
                s += d * d;
            }

            sum += Math.Sqrt(s);
            count++;
        }

        return sum / count;
    }
}
