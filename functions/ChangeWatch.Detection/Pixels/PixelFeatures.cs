using System.Buffers;
using System.Numerics;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// Per-pixel features of a pair of co-registered rasters (<see cref="PixelFeature"/>, <see cref="Count"/> planes,
/// plane f at <c>f * gridLength</c>), computed at every pixel or on a grid of every <c>stride</c>-th pixel of every
/// <c>stride</c>-th row (a grid point holds exactly the values the pixel would have at stride 1). Each date is normalised
/// per band by its own median and IQR over the valid pixels of the raster given (a tile with its context, or a whole
/// small image), so units and a gain or offset between dates do not matter. Bands 1-3 are read as the visible bands
/// (fewer are repeated), a 4th as NIR; further bands are ignored. Context comes from local means over summed-area tables
/// (O(1) per pixel whatever the window, at most 31×31, so 16 px of context around a tile is enough). NaN in either date
/// marks a pixel invalid: its samples count as the band median. Scratch memory (about 150 bytes a pixel) is rented and
/// returned. Thread-safe.
/// </summary>
public static class PixelFeatures
{
    /// <summary>Number of feature planes.</summary>
    public const int Count = 34;

    /// <summary>The widest window radius used: context a tile needs around it, in pixels.</summary>
    public const int ContextRadius = 15;

    // Full-resolution scratch planes: z of both dates (8), luminance of both (2), magnitude, a difference; then 4 grid planes.
    private const int FullScratchPlanes = 12;
    private const int GridScratchPlanes = 4;
    private const int Tables = 5;

    /// <summary>Feature names in plane order.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetNames<PixelFeature>();

    /// <summary>Grid points per plane for a <paramref name="width"/> × <paramref name="height"/> raster sampled every <paramref name="stride"/> pixels (the first row and column included).</summary>
    public static int GridLength(int width, int height, int stride) => GridSize(width, stride) * GridSize(height, stride);

    /// <summary>Grid points along an axis of <paramref name="length"/> pixels sampled every <paramref name="stride"/> pixels.</summary>
    public static int GridSize(int length, int stride) => (length + stride - 1) / stride;

    /// <summary>
    /// Fills <paramref name="planes"/> (at least <see cref="Count"/> × width × height) and <paramref name="valid"/>
    /// (width × height, 1 = both dates have data) and returns the number of valid pixels.
    /// </summary>
    /// <exception cref="ArgumentException">The rasters differ in size or band count, or a span is too short.</exception>
    public static int Compute(TileRaster before, TileRaster after, Span<float> planes, Span<byte> valid) => Compute(before, after, planes, valid, 1);

    /// <summary>
    /// Fills <paramref name="planes"/> (at least <see cref="Count"/> × <see cref="GridLength"/>) with the features of the
    /// grid points (x, y multiples of <paramref name="stride"/>, row-major) and <paramref name="valid"/> (width × height,
    /// every pixel, 1 = both dates have data) and returns the number of valid pixels.
    /// </summary>
    /// <exception cref="ArgumentException">The rasters differ in size or band count, or a span is too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    public static int Compute(TileRaster before, TileRaster after, Span<float> planes, Span<byte> valid, int stride) =>
        Compute(before, after, planes, valid, stride, null);

    /// <summary>
    /// As <see cref="Compute(TileRaster, TileRaster, Span{float}, Span{byte}, int)"/>, normalising each date by its whole
    /// scene's per-band median and IQR (<paramref name="statistics"/>) where given, as whole-image training did, instead of
    /// by the raster's own. A date without statistics, or whose statistics have another band count, uses its own.
    /// </summary>
    public static int Compute(TileRaster before, TileRaster after, Span<float> planes, Span<byte> valid, int stride, ScenePairStatistics? statistics)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        if (before.Width != after.Width || before.Height != after.Height || before.BandCount != after.BandCount)
        {
            throw new ArgumentException("Before and after must have the same size and band count.", nameof(after));
        }

        var w = before.Width;
        var h = before.Height;
        var n = w * h;
        var gn = GridLength(w, h, stride);
        if (planes.Length < Count * gn || valid.Length < n)
        {
            throw new ArgumentException($"The spans must hold {Count} grid planes and one mask of width × height.", nameof(planes));
        }

        var floats = ArrayPool<float>.Shared.Rent(FullScratchPlanes * n + GridScratchPlanes * gn + RobustStats.MaxSample);
        var integralLength = BoxFilter.IntegralLength(w, h);
        var doubles = ArrayPool<double>.Shared.Rent(Tables * integralLength);
        try
        {
            return ComputeCore(before, after, planes, valid[..n], floats, doubles, w, h, stride, statistics);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(doubles);
            ArrayPool<float>.Shared.Return(floats);
        }
    }

    /// <summary>
    /// The raster-level values of <paramref name="before"/> and <paramref name="after"/> taken whole (each date
    /// normalised by <paramref name="statistics"/> where given): what <see cref="Compute(TileRaster, TileRaster, Span{float}, Span{byte}, int, ScenePairStatistics?)"/>
    /// writes into the three raster-level planes for this raster, to be handed to its tiles in <see cref="ScenePairStatistics.Raster"/>.
    /// </summary>
    public static PairRasterValues RasterValues(TileRaster before, TileRaster after, ScenePairStatistics? statistics)
    {
        ArgumentNullException.ThrowIfNull(before);
        // One grid point: the raster-level planes do not depend on the stride.
        var stride = Math.Max(before.Width, before.Height);
        var gn = GridLength(before.Width, before.Height, stride);
        var planes = new float[Count * gn];
        Compute(before, after, planes, new byte[before.Width * before.Height], stride, statistics is null ? null : statistics with { Raster = null });
        return new PairRasterValues(planes[(int)PixelFeature.MagnitudeRasterMedian * gn], planes[(int)PixelFeature.MagnitudeRasterP90 * gn], planes[(int)PixelFeature.TextureRasterMedian * gn]);
    }

    /// <summary>log2 of the ground sample distance (metres) of the georeferenced date, clamped to [−4, 6]; 0 without georeferencing.</summary>
    internal static float GroundSampleLog2(TileRaster before, TileRaster after)
    {
        var gsd = GroundSampleDistance.OfTilePair(before, after);
        return gsd is { } metres && double.IsFinite(metres) && metres > 0 ? (float)Math.Clamp(Math.Log2(metres), -4, 6) : 0f;
    }

    private static int ComputeCore(TileRaster before, TileRaster after, Span<float> planeSpan, Span<byte> valid, float[] floats, double[] doubles, int w, int h, int s,
        ScenePairStatistics? statistics)
    {
        var n = w * h;
        var gn = GridLength(w, h, s);
        var il = BoxFilter.IntegralLength(w, h);
        Span<double> Table(int k) => doubles.AsSpan(k * il, il);
        Span<float> Scratch(int k) => floats.AsSpan(k * n, n);
        Span<float> GridScratch(int k) => floats.AsSpan(FullScratchPlanes * n + k * gn, gn);
        var sample = floats.AsSpan(FullScratchPlanes * n + GridScratchPlanes * gn, RobustStats.MaxSample);
        var i1 = Table(0);
        var planes = new FeaturePlanes(planeSpan, gn);

        var validCount = DateNormalisation.MarkValid(before, after, valid);
        var bands = Math.Min(before.BandCount, 4);
        var visible = Math.Min(bands, 3);

        // z planes: before bands 0-3 in scratch 0-3, after in 4-7 (visible bands repeated when fewer than 3).
        for (var b = 0; b < bands; b++)
        {
            DateNormalisation.Normalise(before.Band(b), valid, validCount, Scratch(b), sample, DateNormalisation.SceneBand(statistics?.Before, before.BandCount, b));
            DateNormalisation.Normalise(after.Band(b), valid, validCount, Scratch(4 + b), sample, DateNormalisation.SceneBand(statistics?.After, after.BandCount, b));
        }

        for (var b = visible; b < 3; b++)
        {
            Scratch(visible - 1).CopyTo(Scratch(b));
            Scratch(4 + visible - 1).CopyTo(Scratch(4 + b));
        }

        for (var b = 0; b < 3; b++)
        {
            BoxFilter.Sample(Scratch(b), w, h, s, planes.Of(PixelFeature.BeforeBand1 + b));
            BoxFilter.Sample(Scratch(4 + b), w, h, s, planes.Of(PixelFeature.AfterBand1 + b));
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
        var lanes = Vector<float>.Count;
        var third = new Vector<float>(1f / 3f);
        var start = 0;
        for (; start + lanes <= n; start += lanes)
        {
            var (b0, b1, b2) = (new Vector<float>(zb0.Slice(start, lanes)), new Vector<float>(zb1.Slice(start, lanes)), new Vector<float>(zb2.Slice(start, lanes)));
            var (a0, a1, a2) = (new Vector<float>(za0.Slice(start, lanes)), new Vector<float>(za1.Slice(start, lanes)), new Vector<float>(za2.Slice(start, lanes)));
            ((b0 + b1 + b2) * third).CopyTo(lumB.Slice(start, lanes));
            ((a0 + a1 + a2) * third).CopyTo(lumA.Slice(start, lanes));
            var (d0, d1, d2) = (a0 - b0, a1 - b1, a2 - b2);
            Vector.SquareRoot(d0 * d0 + d1 * d1 + d2 * d2).CopyTo(magnitude.Slice(start, lanes));
        }

        for (var i = start; i < n; i++)
        {
            lumB[i] = (zb0[i] + zb1[i] + zb2[i]) * (1f / 3f);
            lumA[i] = (za0[i] + za1[i] + za2[i]) * (1f / 3f);
            var d0 = za0[i] - zb0[i];
            var d1 = za1[i] - zb1[i];
            var d2 = za2[i] - zb2[i];
            magnitude[i] = MathF.Sqrt(d0 * d0 + d1 * d1 + d2 * d2);
        }

        BoxFilter.Integrate(magnitude, w, h, i1);
        BoxFilter.Mean(i1, w, h, 1, planes.Of(PixelFeature.MagnitudeMean1), s);
        BoxFilter.Mean(i1, w, h, 3, planes.Of(PixelFeature.MagnitudeMean3), s);
        BoxFilter.Mean(i1, w, h, 7, planes.Of(PixelFeature.MagnitudeMean7), s);
        BoxFilter.Mean(i1, w, h, 15, planes.Of(PixelFeature.MagnitudeMean15), s);
        Subtract(planes.Of(PixelFeature.MagnitudeMean1), planes.Of(PixelFeature.MagnitudeMean15), planes.Of(PixelFeature.MagnitudeContrast));
        // The raster-level values: the scene pair's where given (a tile's features are then the whole pair's), else this raster's.
        var pair = statistics?.Raster;
        if (pair is null)
        {
            var len = RobustStats.SortedSample(magnitude, valid, validCount, sample);
            planes.Of(PixelFeature.MagnitudeRasterMedian).Fill(RobustStats.Quantile(sample[..len], 0.5));
            planes.Of(PixelFeature.MagnitudeRasterP90).Fill(RobustStats.Quantile(sample[..len], 0.9));
        }
        else
        {
            planes.Of(PixelFeature.MagnitudeRasterMedian).Fill(pair.MagnitudeMedian);
            planes.Of(PixelFeature.MagnitudeRasterP90).Fill(pair.MagnitudeP90);
        }

        // Per-band differences (scratch 11).
        var diff = Scratch(11);
        for (var b = 0; b < 3; b++)
        {
            Subtract(Scratch(4 + b), Scratch(b), diff);
            BoxFilter.Integrate(diff, w, h, i1);
            BoxFilter.Mean(i1, w, h, 2, planes.Of(PixelFeature.Band1DifferenceMean2 + b), s);
            BoxFilter.Mean(i1, w, h, 7, planes.Of(PixelFeature.Band1DifferenceMean7 + b), s);
        }

        Subtract(lumA, lumB, diff);
        BoxFilter.Integrate(diff, w, h, i1);
        BoxFilter.Mean(i1, w, h, 15, planes.Of(PixelFeature.LuminanceDifferenceMean15), s);

        // Texture and correlation from the tables of lum, lum² and the product of the dates (each built once).
        var sumB = Table(0);
        var sumA = Table(1);
        var sumBB = Table(2);
        var sumAA = Table(3);
        var sumAB = Table(4);
        BoxFilter.Integrate(lumB, w, h, sumB);
        BoxFilter.Integrate(lumA, w, h, sumA);
        BoxFilter.Integrate(lumB, w, h, sumBB, squared: true);
        BoxFilter.Integrate(lumA, w, h, sumAA, squared: true);
        BoxFilter.IntegrateProduct(lumA, lumB, w, h, sumAB);
        BoxFilter.Mean(sumB, w, h, 7, planes.Of(PixelFeature.BeforeLuminanceMean7), s);
        BoxFilter.Mean(sumA, w, h, 7, planes.Of(PixelFeature.AfterLuminanceMean7), s);
        var meanB = GridScratch(0);
        var meanA = GridScratch(1);
        var meanBB = GridScratch(2);
        var meanAA = GridScratch(3);
        foreach (var radius in (ReadOnlySpan<int>)[2, 3, 7])
        {
            BoxFilter.Mean(sumB, w, h, radius, meanB, s);
            BoxFilter.Mean(sumA, w, h, radius, meanA, s);
            BoxFilter.Mean(sumBB, w, h, radius, meanBB, s);
            BoxFilter.Mean(sumAA, w, h, radius, meanAA, s);
            if (radius != 3)
            {
                StandardDeviation(meanB, meanBB, planes.Of(radius == 2 ? PixelFeature.BeforeTexture2 : PixelFeature.BeforeTexture7));
                StandardDeviation(meanA, meanAA, planes.Of(radius == 2 ? PixelFeature.AfterTexture2 : PixelFeature.AfterTexture7));
            }

            if (radius != 2)
            {
                var product = planes.Of(radius == 3 ? PixelFeature.Correlation3 : PixelFeature.Correlation7);
                BoxFilter.Mean(sumAB, w, h, radius, product, s);
                var i = 0;
                for (; i + lanes <= product.Length; i += lanes)
                {
                    var (mA, mB) = (new Vector<float>(meanA.Slice(i, lanes)), new Vector<float>(meanB.Slice(i, lanes)));
                    var cov = new Vector<float>(product.Slice(i, lanes)) - mA * mB;
                    var varA = Vector.Max(Vector<float>.Zero, new Vector<float>(meanAA.Slice(i, lanes)) - mA * mA);
                    var varB = Vector.Max(Vector<float>.Zero, new Vector<float>(meanBB.Slice(i, lanes)) - mB * mB);
                    (cov / Vector.SquareRoot(varA * varB + new Vector<float>(1e-4f))).CopyTo(product.Slice(i, lanes));
                }

                for (; i < product.Length; i++)
                {
                    var cov = product[i] - meanA[i] * meanB[i];
                    var varA = Math.Max(0f, meanAA[i] - meanA[i] * meanA[i]);
                    var varB = Math.Max(0f, meanBB[i] - meanB[i] * meanB[i]);
                    product[i] = cov / MathF.Sqrt(varA * varB + 1e-4f);
                }
            }
        }

        if (pair is null)
        {
            var len = TextureSample(sumB, sumA, sumBB, sumAA, valid, validCount, w, h, sample);
            planes.Of(PixelFeature.TextureRasterMedian).Fill(RobustStats.Quantile(sample[..len], 0.5));
        }
        else
        {
            planes.Of(PixelFeature.TextureRasterMedian).Fill(pair.TextureMedian);
        }

        planes.Of(PixelFeature.HasNir).Fill(bands >= 4 ? 1f : 0f);
        planes.Of(PixelFeature.GroundSampleLog2).Fill(GroundSampleLog2(before, after));

        // Gradient magnitude change (scratch 0 and 1 reused: the z planes are no longer read).
        var gradB = Scratch(0);
        var gradA = Scratch(1);
        Gradient(lumB, w, h, gradB);
        Gradient(lumA, w, h, gradA);
        Subtract(gradA, gradB, diff);
        BoxFilter.Integrate(diff, w, h, i1);
        BoxFilter.Mean(i1, w, h, 2, planes.Of(PixelFeature.GradientChangeMean2), s);
        Absolute(diff);

        BoxFilter.Integrate(diff, w, h, i1);
        BoxFilter.Mean(i1, w, h, 2, planes.Of(PixelFeature.AbsoluteGradientChangeMean2), s);

        var ndvi = planes.Of(PixelFeature.NdviChangeMean2);
        if (bands >= 4)
        {
            NdviChange(before, after, valid, diff);
            BoxFilter.Integrate(diff, w, h, i1);
            BoxFilter.Mean(i1, w, h, 2, ndvi, s);
        }
        else
        {
            ndvi.Clear();
        }

        return validCount;
    }

    /// <summary>
    /// The sorted sample <see cref="RobustStats.SortedSample(ReadOnlySpan{float}, ReadOnlySpan{byte}, int, Span{float})"/> would draw from the full-resolution plane of the mean 5×5
    /// texture of both dates, computed only at the sampled pixels (so the raster statistic does not depend on the stride).
    /// </summary>
    private static int TextureSample(ReadOnlySpan<double> sumB, ReadOnlySpan<double> sumA, ReadOnlySpan<double> sumBB, ReadOnlySpan<double> sumAA, ReadOnlySpan<byte> valid, int validCount, int w, int h, Span<float> sample)
    {
        if (validCount == 0)
        {
            return 0;
        }

        var stride = Math.Max(1, (validCount + RobustStats.MaxSample - 1) / RobustStats.MaxSample);
        var count = 0;
        var skip = 0;
        for (var i = 0; i < valid.Length && count < sample.Length; i++)
        {
            if (valid[i] == 0 || skip-- != 0)
            {
                continue;
            }

            skip = stride - 1;

            var (x, y) = (i % w, i / w);
            var tb = Deviation(BoxFilter.MeanAt(sumB, w, h, 2, x, y), BoxFilter.MeanAt(sumBB, w, h, 2, x, y));
            var ta = Deviation(BoxFilter.MeanAt(sumA, w, h, 2, x, y), BoxFilter.MeanAt(sumAA, w, h, 2, x, y));
            sample[count++] = 0.5f * (tb + ta);
        }

        RobustStats.Sort(sample[..count]);
        return count;
    }

    private static float Deviation(float mean, float meanOfSquares) => MathF.Sqrt(Math.Max(0f, meanOfSquares - mean * mean));

    // The plane loops below run a vector at a time with the same float operations per element as the scalar tail.
    private static void Subtract(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination)
    {
        var lanes = Vector<float>.Count;
        var i = 0;
        for (; i + lanes <= destination.Length; i += lanes)
        {
            (new Vector<float>(a.Slice(i, lanes)) - new Vector<float>(b.Slice(i, lanes))).CopyTo(destination.Slice(i, lanes));
        }

        for (; i < destination.Length; i++)
        {
            destination[i] = a[i] - b[i];
        }
    }

    private static void Absolute(Span<float> plane)
    {
        var lanes = Vector<float>.Count;
        var i = 0;
        for (; i + lanes <= plane.Length; i += lanes)
        {
            Vector.Abs(new Vector<float>(plane.Slice(i, lanes))).CopyTo(plane.Slice(i, lanes));
        }

        for (; i < plane.Length; i++)
        {
            plane[i] = MathF.Abs(plane[i]);
        }
    }

    private static void StandardDeviation(ReadOnlySpan<float> mean, ReadOnlySpan<float> meanOfSquares, Span<float> destination)
    {
        var lanes = Vector<float>.Count;
        var i = 0;
        for (; i + lanes <= destination.Length; i += lanes)
        {
            var m = new Vector<float>(mean.Slice(i, lanes));
            Vector.SquareRoot(Vector.Max(Vector<float>.Zero, new Vector<float>(meanOfSquares.Slice(i, lanes)) - m * m)).CopyTo(destination.Slice(i, lanes));
        }

        for (; i < destination.Length; i++)
        {
            destination[i] = Deviation(mean[i], meanOfSquares[i]);
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
            var lanes = Vector<float>.Count;
            var x = 0;
            for (; x < Math.Min(1, w); x++)
            {
                dst[x] = GradientAt(row, up, down, w, x);
            }

            for (; x + lanes <= w - 1; x += lanes)
            {
                var gx = new Vector<float>(row.Slice(x + 1, lanes)) - new Vector<float>(row.Slice(x - 1, lanes));
                (Vector.Abs(gx) + Vector.Abs(new Vector<float>(down.Slice(x, lanes)) - new Vector<float>(up.Slice(x, lanes)))).CopyTo(dst.Slice(x, lanes));
            }

            for (; x < w; x++)
            {
                dst[x] = GradientAt(row, up, down, w, x);
            }
        }
    }

    private static float GradientAt(ReadOnlySpan<float> row, ReadOnlySpan<float> up, ReadOnlySpan<float> down, int w, int x)
    {
        var gx = row[Math.Min(w - 1, x + 1)] - row[Math.Max(0, x - 1)];
        return MathF.Abs(gx) + MathF.Abs(down[x] - up[x]);
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

    /// <summary>Feature planes of one grid length in one span.</summary>
    private readonly ref struct FeaturePlanes(Span<float> planes, int length)
    {
        private readonly Span<float> _planes = planes;

        public Span<float> Of(PixelFeature feature) => _planes.Slice((int)feature * length, length);
    }
}
