using System.Buffers;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// Per-pixel features of a pair of co-registered rasters (<see cref="PixelFeature"/>, <see cref="Count"/> planes of
/// width × height floats, plane f at <c>f * width * height</c>). Each date is normalised per band by its own median
/// and IQR over the valid pixels of the raster given (a tile with its context, or a whole small image), so units and
/// a gain or offset between dates do not matter. Bands 1-3 are read as the visible bands (fewer are repeated), a 4th as
/// NIR; further bands are ignored. Context comes from local means over summed-area tables (O(1) per pixel whatever the
/// window, at most 31×31, so 16 px of context around a tile is enough). NaN in either date marks a pixel invalid: its
/// samples count as the band median. Scratch memory (about 130 bytes a pixel) is rented and returned. Thread-safe.
/// </summary>
public static class PixelFeatures
{
    /// <summary>Number of feature planes.</summary>
    public const int Count = 33;

    /// <summary>The widest window radius used: context a tile needs around it, in pixels.</summary>
    public const int ContextRadius = 15;

    private const int ScratchPlanes = 16;

    /// <summary>Feature names in plane order.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetNames<PixelFeature>();

    /// <summary>
    /// Fills <paramref name="planes"/> (at least <see cref="Count"/> × width × height) and <paramref name="valid"/>
    /// (width × height, 1 = both dates have data) and returns the number of valid pixels.
    /// </summary>
    /// <exception cref="ArgumentException">The rasters differ in size or band count, or a span is too short.</exception>
    public static int Compute(TileRaster before, TileRaster after, Span<float> planes, Span<byte> valid)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Width != after.Width || before.Height != after.Height || before.BandCount != after.BandCount)
        {
            throw new ArgumentException("Before and after must have the same size and band count.", nameof(after));
        }

        var w = before.Width;
        var h = before.Height;
        var n = w * h;
        if (planes.Length < Count * n || valid.Length < n)
        {
            throw new ArgumentException($"The spans must hold {Count} planes and one mask of width × height.", nameof(planes));
        }

        var floats = ArrayPool<float>.Shared.Rent(ScratchPlanes * n + RobustStats.MaxSample);
        var integralLength = BoxFilter.IntegralLength(w, h);
        var doubles = ArrayPool<double>.Shared.Rent(3 * integralLength);
        try
        {
            return ComputeCore(before, after, planes, valid[..n], floats, doubles, w, h);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(doubles);
            ArrayPool<float>.Shared.Return(floats);
        }
    }

    private static int ComputeCore(TileRaster before, TileRaster after, Span<float> planes, Span<byte> valid, float[] floats, double[] doubles, int w, int h)
    {
        var n = w * h;
        var il = BoxFilter.IntegralLength(w, h);
        var i1 = doubles.AsSpan(0, il);
        var i2 = doubles.AsSpan(il, il);
        var i3 = doubles.AsSpan(2 * il, il);
        Span<float> Scratch(int k) => floats.AsSpan(k * n, n);
        var sample = floats.AsSpan(ScratchPlanes * n, RobustStats.MaxSample);

        var validCount = DateNormalisation.MarkValid(before, after, valid);
        var bands = Math.Min(before.BandCount, 4);
        var visible = Math.Min(bands, 3);

        // z planes: before bands 0-3 in scratch 0-3, after in 4-7 (visible bands repeated when fewer than 3).
        for (var b = 0; b < bands; b++)
        {
            DateNormalisation.Normalise(before.Band(b), valid, validCount, Scratch(b), sample);
            DateNormalisation.Normalise(after.Band(b), valid, validCount, Scratch(4 + b), sample);
        }

        for (var b = visible; b < 3; b++)
        {
            Scratch(visible - 1).CopyTo(Scratch(b));
            Scratch(4 + visible - 1).CopyTo(Scratch(4 + b));
        }

        for (var b = 0; b < 3; b++)
        {
            Scratch(b).CopyTo(planes.Slice((int)(PixelFeature.BeforeBand1 + b) * n, n));
            Scratch(4 + b).CopyTo(planes.Slice((int)(PixelFeature.AfterBand1 + b) * n, n));
        }

        // Luminance of each date (scratch 8, 9), magnitude (scratch 10).
        var lumB = Scratch(8);
        var lumA = Scratch(9);
        var magnitude = Scratch(10);
        var zb0 = Scratch(0);
        var zb1 = Scratch(1);
        var zb2 = Scratch(2);
        var za0 = Scratch(4);
        var za1 = Scratch(5);
        var za2 = Scratch(6);
        for (var i = 0; i < n; i++)
        {
            lumB[i] = (zb0[i] + zb1[i] + zb2[i]) * (1f / 3f);
            lumA[i] = (za0[i] + za1[i] + za2[i]) * (1f / 3f);
            var d0 = za0[i] - zb0[i];
            var d1 = za1[i] - zb1[i];
            var d2 = za2[i] - zb2[i];
            magnitude[i] = MathF.Sqrt(d0 * d0 + d1 * d1 + d2 * d2);
        }

        BoxFilter.Integrate(magnitude, w, h, i1);
        BoxFilter.Mean(i1, w, h, 1, planes.Slice((int)(PixelFeature.MagnitudeMean1) * n, n));
        BoxFilter.Mean(i1, w, h, 3, planes.Slice((int)(PixelFeature.MagnitudeMean3) * n, n));
        BoxFilter.Mean(i1, w, h, 7, planes.Slice((int)(PixelFeature.MagnitudeMean7) * n, n));
        BoxFilter.Mean(i1, w, h, 15, planes.Slice((int)(PixelFeature.MagnitudeMean15) * n, n));
        Subtract(planes.Slice((int)(PixelFeature.MagnitudeMean1) * n, n), planes.Slice((int)(PixelFeature.MagnitudeMean15) * n, n), planes.Slice((int)(PixelFeature.MagnitudeContrast) * n, n));
        var len = RobustStats.SortedSample(magnitude, valid, validCount, sample);
        planes.Slice((int)(PixelFeature.MagnitudeRasterMedian) * n, n).Fill(RobustStats.Quantile(sample[..len], 0.5));
        planes.Slice((int)(PixelFeature.MagnitudeRasterP90) * n, n).Fill(RobustStats.Quantile(sample[..len], 0.9));

        // Per-band differences (scratch 11).
        var diff = Scratch(11);
        for (var b = 0; b < 3; b++)
        {
            Subtract(Scratch(4 + b), Scratch(b), diff);
            BoxFilter.Integrate(diff, w, h, i1);
            BoxFilter.Mean(i1, w, h, 2, planes.Slice((int)(PixelFeature.Band1DifferenceMean2 + b) * n, n));
            BoxFilter.Mean(i1, w, h, 7, planes.Slice((int)(PixelFeature.Band1DifferenceMean7 + b) * n, n));
        }

        Subtract(lumA, lumB, diff);
        BoxFilter.Integrate(diff, w, h, i1);
        BoxFilter.Mean(i1, w, h, 15, planes.Slice((int)(PixelFeature.LuminanceDifferenceMean15) * n, n));

        // Texture and correlation: means of lum, lum² and the product (scratch 12-15 hold window means).
        var meanB = Scratch(12);
        var meanA = Scratch(13);
        var meanBB = Scratch(14);
        var meanAA = Scratch(15);
        BoxFilter.Integrate(lumB, w, h, i1);
        BoxFilter.Integrate(lumA, w, h, i2);
        BoxFilter.Mean(i1, w, h, 7, planes.Slice((int)(PixelFeature.BeforeLuminanceMean7) * n, n));
        BoxFilter.Mean(i2, w, h, 7, planes.Slice((int)(PixelFeature.AfterLuminanceMean7) * n, n));
        foreach (var (radius, textureB, textureA) in new[] { (2, PixelFeature.BeforeTexture2, PixelFeature.AfterTexture2), (7, PixelFeature.BeforeTexture7, PixelFeature.AfterTexture7) })
        {
            BoxFilter.Mean(i1, w, h, radius, meanB);
            BoxFilter.Mean(i2, w, h, radius, meanA);
            BoxFilter.Integrate(lumB, w, h, i3, squared: true);
            BoxFilter.Mean(i3, w, h, radius, meanBB);
            BoxFilter.Integrate(lumA, w, h, i3, squared: true);
            BoxFilter.Mean(i3, w, h, radius, meanAA);
            StandardDeviation(meanB, meanBB, planes.Slice((int)(textureB) * n, n));
            StandardDeviation(meanA, meanAA, planes.Slice((int)(textureA) * n, n));
        }

        foreach (var (radius, feature) in new[] { (3, PixelFeature.Correlation3), (7, PixelFeature.Correlation7) })
        {
            BoxFilter.Mean(i1, w, h, radius, meanB);
            BoxFilter.Mean(i2, w, h, radius, meanA);
            BoxFilter.Integrate(lumB, w, h, i3, squared: true);
            BoxFilter.Mean(i3, w, h, radius, meanBB);
            BoxFilter.Integrate(lumA, w, h, i3, squared: true);
            BoxFilter.Mean(i3, w, h, radius, meanAA);
            BoxFilter.IntegrateProduct(lumA, lumB, w, h, i3);
            var product = planes.Slice((int)(feature) * n, n);
            BoxFilter.Mean(i3, w, h, radius, product);
            for (var i = 0; i < n; i++)
            {
                var cov = product[i] - meanA[i] * meanB[i];
                var varA = Math.Max(0f, meanAA[i] - meanA[i] * meanA[i]);
                var varB = Math.Max(0f, meanBB[i] - meanB[i] * meanB[i]);
                product[i] = cov / MathF.Sqrt(varA * varB + 1e-4f);
            }
        }

        var textureMean = Scratch(12);
        var tb = planes.Slice((int)PixelFeature.BeforeTexture2 * n, n);
        var ta = planes.Slice((int)PixelFeature.AfterTexture2 * n, n);
        for (var i = 0; i < n; i++)
        {
            textureMean[i] = 0.5f * (tb[i] + ta[i]);
        }

        len = RobustStats.SortedSample(textureMean, valid, validCount, sample);
        planes.Slice((int)PixelFeature.TextureRasterMedian * n, n).Fill(RobustStats.Quantile(sample[..len], 0.5));
        planes.Slice((int)PixelFeature.HasNir * n, n).Fill(bands >= 4 ? 1f : 0f);

        // Gradient magnitude change (scratch 12, 13 reused).
        var gradB = Scratch(12);
        var gradA = Scratch(13);
        Gradient(lumB, w, h, gradB);
        Gradient(lumA, w, h, gradA);
        Subtract(gradA, gradB, diff);
        BoxFilter.Integrate(diff, w, h, i1);
        BoxFilter.Mean(i1, w, h, 2, planes.Slice((int)(PixelFeature.GradientChangeMean2) * n, n));
        for (var i = 0; i < n; i++)
        {
            diff[i] = MathF.Abs(diff[i]);
        }

        BoxFilter.Integrate(diff, w, h, i1);
        BoxFilter.Mean(i1, w, h, 2, planes.Slice((int)(PixelFeature.AbsoluteGradientChangeMean2) * n, n));

        var ndvi = planes.Slice((int)(PixelFeature.NdviChangeMean2) * n, n);
        if (bands >= 4)
        {
            NdviChange(before, after, valid, diff);
            BoxFilter.Integrate(diff, w, h, i1);
            BoxFilter.Mean(i1, w, h, 2, ndvi);
        }
        else
        {
            ndvi.Clear();
        }

        return validCount;
    }

    private static void Subtract(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = a[i] - b[i];
        }
    }

    private static void StandardDeviation(ReadOnlySpan<float> mean, ReadOnlySpan<float> meanOfSquares, Span<float> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = MathF.Sqrt(Math.Max(0f, meanOfSquares[i] - mean[i] * mean[i]));
        }
    }

    /// <summary>L1 central-difference gradient magnitude; edges use the one-sided neighbour.</summary>
    private static void Gradient(ReadOnlySpan<float> plane, int w, int h, Span<float> destination)
    {
        for (var y = 0; y < h; y++)
        {
            var up = plane.Slice(Math.Max(0, y - 1) * w, w);
            var down = plane.Slice(Math.Min(h - 1, y + 1) * w, w);
            var row = plane.Slice(y * w, w);
            var dst = destination.Slice(y * w, w);
            for (var x = 0; x < w; x++)
            {
                var gx = row[Math.Min(w - 1, x + 1)] - row[Math.Max(0, x - 1)];
                dst[x] = MathF.Abs(gx) + MathF.Abs(down[x] - up[x]);
            }
        }
    }

    private static void NdviChange(TileRaster before, TileRaster after, ReadOnlySpan<byte> valid, Span<float> destination)
    {
        var redB = before.Band(0);
        var nirB = before.Band(3);
        var redA = after.Band(0);
        var nirA = after.Band(3);
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = valid[i] != 0 ? Ndvi(redA[i], nirA[i]) - Ndvi(redB[i], nirB[i]) : 0f;
        }
    }

    private static float Ndvi(float red, float nir)
    {
        var sum = red + nir;
        return MathF.Abs(sum) > 1e-6f ? Math.Clamp((nir - red) / sum, -1f, 1f) : 0f;
    }
}
