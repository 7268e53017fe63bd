using System.Buffers;
using System.Numerics;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// Computes the fixed-length feature vector of a tile pair (<see cref="TilePairFeature"/>, <see cref="Count"/> floats)
/// and, optionally, a per-pixel change score map. Each date is normalised per band by its own median and IQR over valid
/// pixels, so sample units (0-255, 0-10000 reflectance) and a gain or offset between dates do not matter. Bands: 1-3
/// visible (R, G, B order assumed; fewer are repeated), the 4th is read as NIR; further bands are ignored. NaN in either
/// date marks the pixel masked; masked pixels count as unchanged in the maps. Scratch memory is rented from
/// <see cref="ArrayPool{T}.Shared"/> (about 120 bytes per pixel) and returned before the call ends. Thread-safe.
/// </summary>
public static class TilePairFeatures
{
    /// <summary>Length of the feature vector.</summary>
    public const int Count = 49;

    /// <summary>Threshold on the score map above which a pixel is considered for the change mask (z units).</summary>
    internal const float RegionThreshold = 1.5f;

    private const int MinValidPixels = 16;

    /// <summary>Feature names in vector order (the <see cref="TilePairFeature"/> member names).</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetNames<TilePairFeature>();

    /// <summary>
    /// Fills <paramref name="features"/> (length at least <see cref="Count"/>) for the pair and, when
    /// <paramref name="scoreMap"/> is not empty (length width × height), the per-pixel change score: the 3×3 local mean of
    /// the shift-tolerant change magnitude in z units (0 = identical; above about 0.8 can be marked change by
    /// <see cref="ChangeMask"/>). Returns the masked fraction.
    /// </summary>
    /// <exception cref="ArgumentException">The rasters differ in size or band count, or a span is too short.</exception>
    public static double Compute(TileRaster before, TileRaster after, Span<float> features, Span<float> scoreMap = default)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Width != after.Width || before.Height != after.Height || before.BandCount != after.BandCount)
        {
            throw new ArgumentException("Before and after must have the same size and band count.", nameof(after));
        }

        if (features.Length < Count)
        {
            throw new ArgumentException($"The feature span must hold {Count} values.", nameof(features));
        }

        var w = before.Width;
        var h = before.Height;
        var n = w * h;
        if (!scoreMap.IsEmpty && scoreMap.Length < n)
        {
            throw new ArgumentException("The score map must hold width × height values.", nameof(scoreMap));
        }

        var bandsUsed = Math.Min(before.BandCount, 4);
        var floatLength = n * (2 * bandsUsed + 11) + RobustStats.MaxSample;
        var floats = ArrayPool<float>.Shared.Rent(floatLength);
        var ints = ArrayPool<int>.Shared.Rent(2 * n + RobustStats.MaxSample);
        var bytes = ArrayPool<byte>.Shared.Rent(5 * n);
        var doubles = ArrayPool<double>.Shared.Rent(5 * BoxFilter.IntegralLength(w, h));
        try
        {
            var ws = new Workspace(floats, ints, bytes, doubles, n, bandsUsed, BoxFilter.IntegralLength(w, h));
            return ComputeCore(before, after, features[..Count], scoreMap, ws, w, h, bandsUsed);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(doubles);
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<int>.Shared.Return(ints);
            ArrayPool<float>.Shared.Return(floats);
        }
    }

    private static double ComputeCore(TileRaster before, TileRaster after, Span<float> f, Span<float> scoreMap, Workspace ws, int w, int h, int bandsUsed)
    {
        var n = w * h;
        f.Clear();
        var valid = ws.Bytes(0);
        var validCount = DateNormalisation.MarkValid(before, after, valid);
        var masked = 1.0 - (double)validCount / n;
        f[(int)TilePairFeature.MaskedFraction] = (float)masked;
        f[(int)TilePairFeature.HasNir] = before.BandCount >= 4 ? 1f : 0f;
        if (!scoreMap.IsEmpty)
        {
            scoreMap[..n].Clear();
        }

        if (validCount < MinValidPixels)
        {
            f[(int)TilePairFeature.CorrelationGlobal] = 1f;
            f[(int)TilePairFeature.CorrelationLocalMean] = 1f;
            f[(int)TilePairFeature.CorrelationLocalP05] = 1f;
            f[(int)TilePairFeature.TolerantToRawRatio] = 1f;
            return masked;
        }

        var sample = ws.Sample;
        ws.Positions = ws.PositionScratch[..RobustStats.SamplePositions(valid, validCount, ws.PositionScratch)];
        var zA = ws.ZAfter;
        var zB = ws.ZBefore;
        for (var b = 0; b < bandsUsed; b++)
        {
            DateNormalisation.Normalise(before.Band(b), valid, ws.Positions, zB.Slice(b * n, n), sample);
            DateNormalisation.Normalise(after.Band(b), valid, ws.Positions, zA.Slice(b * n, n), sample);
        }

        var visible = Math.Min(bandsUsed, 3);
        var lumA = ws.Plane(0);
        var lumB = ws.Plane(1);
        Luminance(zA, n, visible, lumA);
        Luminance(zB, n, visible, lumB);

        // Change magnitude: plain and tolerant to ±1 px misregistration.
        var tolerant = ws.Plane(2);
        var raw = ws.Plane(3);
        Magnitudes(zA, zB, valid, w, h, bandsUsed, tolerant, raw, ws.Plane(4));
        var (tMean, tStd, _) = RobustStats.Moments(tolerant, valid);
        var len = RobustStats.SortedSample(tolerant, ws.Positions, ws.Sample);
        f[(int)TilePairFeature.MagnitudeMean] = (float)tMean;
        f[(int)TilePairFeature.MagnitudeStd] = (float)tStd;
        f[(int)TilePairFeature.MagnitudeP50] = RobustStats.Quantile(sample[..len], 0.5);
        f[(int)TilePairFeature.MagnitudeP90] = RobustStats.Quantile(sample[..len], 0.9);
        f[(int)TilePairFeature.MagnitudeP99] = RobustStats.Quantile(sample[..len], 0.99);
        f[(int)TilePairFeature.MagnitudeFractionAbove2] = RobustStats.FractionAbove(tolerant, valid, validCount, 2f);
        f[(int)TilePairFeature.MagnitudeFractionAbove3] = RobustStats.FractionAbove(tolerant, valid, validCount, 3f);
        var (rMean, _, _) = RobustStats.Moments(raw, valid);
        len = RobustStats.SortedSample(raw, ws.Positions, ws.Sample);
        f[(int)TilePairFeature.RawMagnitudeMean] = (float)rMean;
        f[(int)TilePairFeature.RawMagnitudeP99] = RobustStats.Quantile(sample[..len], 0.99);
        f[(int)TilePairFeature.TolerantToRawRatio] = (float)(rMean > 1e-6 ? tMean / rMean : 1.0);

        // Per-band normalised differences.
        var diff = ws.Plane(4);
        for (var k = 0; k < 3; k++)
        {
            var band = Math.Min(k, bandsUsed - 1);
            var a = zA.Slice(band * n, n);
            var b = zB.Slice(band * n, n);
            for (var i = 0; i < n; i++)
            {
                diff[i] = a[i] - b[i];
            }

            len = RobustStats.SortedSample(diff, ws.Positions, ws.Sample);
            f[(int)TilePairFeature.Band1DifferenceP01 + 2 * k] = RobustStats.Quantile(sample[..len], 0.01);
            f[(int)TilePairFeature.Band1DifferenceP99 + 2 * k] = RobustStats.Quantile(sample[..len], 0.99);
        }

        // Local means of the magnitude (context).
        var integral = ws.Integral;
        var local5 = ws.Plane(5);
        var local15 = ws.Plane(6);
        BoxFilter.Integrate(tolerant, w, h, integral);
        BoxFilter.Mean(integral, w, h, 2, local5);
        BoxFilter.Mean(integral, w, h, 7, local15);
        f[(int)TilePairFeature.Local5Max] = RobustStats.Moments(local5, valid).Max;
        len = RobustStats.SortedSample(local5, ws.Positions, ws.Sample);
        f[(int)TilePairFeature.Local5P99] = RobustStats.Quantile(sample[..len], 0.99);
        f[(int)TilePairFeature.Local5FractionAbove2] = RobustStats.FractionAbove(local5, valid, validCount, 2f);
        f[(int)TilePairFeature.Local15Max] = RobustStats.Moments(local15, valid).Max;
        len = RobustStats.SortedSample(local15, ws.Positions, ws.Sample);
        f[(int)TilePairFeature.Local15P99] = RobustStats.Quantile(sample[..len], 0.99);
        f[(int)TilePairFeature.Local15FractionAbove1] = RobustStats.FractionAbove(local15, valid, validCount, 1f);
        if (!scoreMap.IsEmpty)
        {
            // 3×3, not 5×5: a lone 3 px wide vehicle must still reach the mask threshold.
            BoxFilter.Mean(integral, w, h, 1, scoreMap[..n]);
            for (var i = 0; i < n; i++)
            {
                scoreMap[i] = valid[i] != 0 ? scoreMap[i] : 0f;
            }
        }

        // Change regions on the smoothed magnitude.
        var region = ws.Bytes(1);
        for (var i = 0; i < n; i++)
        {
            region[i] = valid[i] != 0 && local5[i] > RegionThreshold ? (byte)1 : (byte)0;
        }

        var (regions, largest) = BlobCounter.Count(region[..n], w, h, 6, int.MaxValue, false, ws.Labels, ws.Stack);
        f[(int)TilePairFeature.ChangeRegionCount] = regions;
        f[(int)TilePairFeature.ChangeRegionLargestFraction] = (float)largest / n;

        Correlation(lumA, lumB, valid, validCount, w, h, f, ws);
        Gradients(lumA, lumB, valid, validCount, w, h, f, ws);
        Blobs(lumA, lumB, valid, validCount, w, h, f, ws);
        LuminanceAndTexture(lumA, lumB, valid, validCount, w, h, f, ws);
        if (before.BandCount >= 4)
        {
            Ndvi(before, after, valid, validCount, f, ws);
        }

        return masked;
    }

    private static void Luminance(ReadOnlySpan<float> z, int n, int visible, Span<float> lum)
    {
        z[..n].CopyTo(lum);
        for (var b = 1; b < visible; b++)
        {
            var band = z.Slice(b * n, n);
            for (var i = 0; i < n; i++)
            {
                lum[i] += band[i];
            }
        }

        if (visible > 1)
        {
            var inv = 1f / visible;
            for (var i = 0; i < n; i++)
            {
                lum[i] *= inv;
            }
        }
    }

    /// <summary>
    /// Tolerant and plain change magnitude per pixel. Rows away from the border are done a vector of pixels at a time
    /// (an invalid neighbour counts as infinitely far: the same minimum as leaving it out), with the same float
    /// operations in the same order as the per-pixel loop, which does the border and what is left of each row.
    /// </summary>
    private static void Magnitudes(ReadOnlySpan<float> zA, ReadOnlySpan<float> zB, ReadOnlySpan<byte> valid, int w, int h, int bands, Span<float> tolerant, Span<float> raw, Span<float> penalty)
    {
        var n = w * h;
        var invBands = 1f / bands;
        for (var i = 0; i < n; i++)
        {
            penalty[i] = valid[i] != 0 ? 0f : float.PositiveInfinity;
        }

        var lanes = Vector<float>.Count;
        var scale = new Vector<float>(invBands);
        for (var y = 0; y < h; y++)
        {
            var x = 0;
            if (y > 0 && y < h - 1)
            {
                MagnitudesAt(zA, zB, valid, w, h, bands, invBands, tolerant, raw, y, 0, 1);
                for (x = 1; x + lanes <= w - 1; x += lanes)
                {
                    var p = y * w + x;
                    var bestAB = new Vector<float>(float.MaxValue);
                    var bestBA = bestAB;
                    var plain = Vector<float>.Zero;
                    for (var dy = -1; dy <= 1; dy++)
                    {
                        for (var dx = -1; dx <= 1; dx++)
                        {
                            var q = p + dy * w + dx;
                            var dab = Vector<float>.Zero;
                            var dba = Vector<float>.Zero;
                            for (var b = 0; b < bands; b++)
                            {
                                var o = b * n;
                                var e1 = new Vector<float>(zA.Slice(o + p, lanes)) - new Vector<float>(zB.Slice(o + q, lanes));
                                var e2 = new Vector<float>(zB.Slice(o + p, lanes)) - new Vector<float>(zA.Slice(o + q, lanes));
                                dab += e1 * e1;
                                dba += e2 * e2;
                            }

                            if (q == p)
                            {
                                plain = dab;
                            }

                            var far = new Vector<float>(penalty.Slice(q, lanes));
                            bestAB = Vector.Min(bestAB, dab + far);
                            bestBA = Vector.Min(bestBA, dba + far);
                        }
                    }

                    var isValid = Vector.Equals(new Vector<float>(penalty.Slice(p, lanes)), Vector<float>.Zero);
                    Vector.ConditionalSelect(isValid, Vector.SquareRoot(Vector.Max(bestAB, bestBA) * scale), Vector<float>.Zero).CopyTo(tolerant.Slice(p, lanes));
                    Vector.ConditionalSelect(isValid, Vector.SquareRoot(plain * scale), Vector<float>.Zero).CopyTo(raw.Slice(p, lanes));
                }
            }

            MagnitudesAt(zA, zB, valid, w, h, bands, invBands, tolerant, raw, y, x, w);
        }
    }

    /// <summary>The per-pixel magnitudes of row <paramref name="y"/>, columns [<paramref name="x0"/>, <paramref name="x1"/>).</summary>
    private static void MagnitudesAt(ReadOnlySpan<float> zA, ReadOnlySpan<float> zB, ReadOnlySpan<byte> valid, int w, int h, int bands, float invBands, Span<float> tolerant, Span<float> raw, int y, int x0, int x1)
    {
        var n = w * h;
        for (var x = x0; x < x1; x++)
        {
            var p = y * w + x;
            if (valid[p] == 0)
            {
                tolerant[p] = 0;
                raw[p] = 0;
                continue;
            }

            var bestAB = float.MaxValue;
            var bestBA = float.MaxValue;
            var plain = 0f;
            for (var dy = -1; dy <= 1; dy++)
            {
                var qy = y + dy;
                if ((uint)qy >= (uint)h)
                {
                    continue;
                }

                for (var dx = -1; dx <= 1; dx++)
                {
                    var qx = x + dx;
                    if ((uint)qx >= (uint)w)
                    {
                        continue;
                    }

                    var q = qy * w + qx;
                    if (valid[q] == 0)
                    {
                        continue;
                    }

                    float dab = 0, dba = 0;
                    for (var b = 0; b < bands; b++)
                    {
                        var o = b * n;
                        var e1 = zA[o + p] - zB[o + q];
                        var e2 = zB[o + p] - zA[o + q];
                        dab += e1 * e1;
                        dba += e2 * e2;
                    }

                    if (q == p)
                    {
                        plain = dab;
                    }

                    bestAB = Math.Min(bestAB, dab);
                    bestBA = Math.Min(bestBA, dba);
                }
            }

            tolerant[p] = MathF.Sqrt(Math.Max(bestAB, bestBA) * invBands);
            raw[p] = MathF.Sqrt(plain * invBands);
        }
    }

    private static void Correlation(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<byte> valid, int validCount, int w, int h, Span<float> f, Workspace ws)
    {
        var n = w * h;
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        for (var i = 0; i < n; i++)
        {
            if (valid[i] == 0)
            {
                continue;
            }

            sa += a[i];
            sb += b[i];
            saa += (double)a[i] * a[i];
            sbb += (double)b[i] * b[i];
            sab += (double)a[i] * b[i];
        }

        var ma = sa / validCount;
        var mb = sb / validCount;
        var va = saa / validCount - ma * ma;
        var vb = sbb / validCount - mb * mb;
        var cov = sab / validCount - ma * mb;
        f[(int)TilePairFeature.CorrelationGlobal] = (float)(va > 1e-9 && vb > 1e-9 ? cov / Math.Sqrt(va * vb) : 1.0);

        const int radius = 7;
        const float c = 0.01f;
        var meanA = ws.Plane(7);
        var meanB = ws.Plane(8);
        var eaa = ws.Plane(9);
        var ebb = ws.Plane(10);
        var eab = ws.Plane(4);
        var integral = ws.Integral;
        BoxFilter.Integrate(a, w, h, ws.SumA);
        BoxFilter.Mean(ws.SumA, w, h, radius, meanA);
        BoxFilter.Integrate(b, w, h, ws.SumB);
        BoxFilter.Mean(ws.SumB, w, h, radius, meanB);
        BoxFilter.Integrate(a, w, h, ws.SumAA, squared: true);
        BoxFilter.Mean(ws.SumAA, w, h, radius, eaa);
        BoxFilter.Integrate(b, w, h, ws.SumBB, squared: true);
        BoxFilter.Mean(ws.SumBB, w, h, radius, ebb);
        BoxFilter.IntegrateProduct(a, b, w, h, integral);
        BoxFilter.Mean(integral, w, h, radius, eab);
        // The windowed correlation a vector of pixels at a time (the same float operations), then summed in pixel order.
        var lanes = Vector<float>.Count;
        var constant = new Vector<float>(c);
        var start = 0;
        for (; start + lanes <= n; start += lanes)
        {
            var (mA, mB) = (new Vector<float>(meanA.Slice(start, lanes)), new Vector<float>(meanB.Slice(start, lanes)));
            var vA = Vector.Max(Vector<float>.Zero, new Vector<float>(eaa.Slice(start, lanes)) - mA * mA);
            var vB = Vector.Max(Vector<float>.Zero, new Vector<float>(ebb.Slice(start, lanes)) - mB * mB);
            var cv = new Vector<float>(eab.Slice(start, lanes)) - mA * mB;
            ((cv + constant) / Vector.SquareRoot((vA + constant) * (vB + constant))).CopyTo(eab.Slice(start, lanes));
        }

        for (var i = start; i < n; i++)
        {
            var vA = Math.Max(0f, eaa[i] - meanA[i] * meanA[i]);
            var vB = Math.Max(0f, ebb[i] - meanB[i] * meanB[i]);
            var cv = eab[i] - meanA[i] * meanB[i];
            eab[i] = (cv + c) / MathF.Sqrt((vA + c) * (vB + c));
        }

        double sum = 0;
        for (var i = 0; i < n; i++)
        {
            if (valid[i] != 0)
            {
                sum += eab[i];
            }
        }

        f[(int)TilePairFeature.CorrelationLocalMean] = (float)(sum / validCount);
        var len = RobustStats.SortedSample(eab, ws.Positions, ws.Sample);
        f[(int)TilePairFeature.CorrelationLocalP05] = RobustStats.Quantile(ws.Sample[..len], 0.05);
    }

    private static void Gradients(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<byte> valid, int validCount, int w, int h, Span<float> f, Workspace ws)
    {
        var change = ws.Plane(4);
        double sumA = 0, sumB = 0, sumChange = 0;
        for (var y = 0; y < h; y++)
        {
            var ym = Math.Max(0, y - 1) * w;
            var yp = Math.Min(h - 1, y + 1) * w;
            for (var x = 0; x < w; x++)
            {
                var p = y * w + x;
                if (valid[p] == 0)
                {
                    change[p] = 0;
                    continue;
                }

                var xm = Math.Max(0, x - 1);
                var xp = Math.Min(w - 1, x + 1);
                var gxA = a[y * w + xp] - a[y * w + xm];
                var gyA = a[yp + x] - a[ym + x];
                var gxB = b[y * w + xp] - b[y * w + xm];
                var gyB = b[yp + x] - b[ym + x];
                var gA = MathF.Sqrt(gxA * gxA + gyA * gyA);
                var gB = MathF.Sqrt(gxB * gxB + gyB * gyB);
                sumA += gA;
                sumB += gB;
                var d = MathF.Abs(gA - gB);
                change[p] = d;
                sumChange += d;
            }
        }

        f[(int)TilePairFeature.GradientChangeMean] = (float)(sumChange / validCount);
        var len = RobustStats.SortedSample(change, ws.Positions, ws.Sample);
        f[(int)TilePairFeature.GradientChangeP99] = RobustStats.Quantile(ws.Sample[..len], 0.99);
        f[(int)TilePairFeature.GradientLogRatio] = (float)Math.Log((sumA + 1e-3) / (sumB + 1e-3));
    }

    private static void Blobs(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<byte> valid, int validCount, int w, int h, Span<float> f, Workspace ws)
    {
        var n = w * h;
        var objectsA = ws.Bytes(1);
        var objectsB = ws.Bytes(2);
        var (darkA, brightA) = ObjectMask(a, ws.SumA, valid, validCount, w, h, objectsA, ws);
        var (darkB, brightB) = ObjectMask(b, ws.SumB, valid, validCount, w, h, objectsB, ws);
        f[(int)TilePairFeature.DarkBlobsAfter] = darkA;
        f[(int)TilePairFeature.BrightBlobsAfter] = brightA;
        f[(int)TilePairFeature.DarkBlobsBefore] = darkB;
        f[(int)TilePairFeature.BrightBlobsBefore] = brightB;
        f[(int)TilePairFeature.DarkBlobsDifference] = darkA - darkB;
        f[(int)TilePairFeature.BrightBlobsDifference] = brightA - brightB;

        var dilated = ws.Bytes(3);
        var scratch = ws.Bytes(4);
        var only = ws.Bytes(4);
        BlobCounter.Dilate(objectsB, w, h, 2, dilated, scratch);
        for (var i = 0; i < n; i++)
        {
            only[i] = objectsA[i] != 0 && dilated[i] == 0 ? (byte)1 : (byte)0;
        }

        f[(int)TilePairFeature.BlobsAppeared] = BlobCounter.Count(only, w, h, 4, 80, true, ws.Labels, ws.Stack).Count;
        BlobCounter.Dilate(objectsA, w, h, 2, dilated, scratch);
        for (var i = 0; i < n; i++)
        {
            only[i] = objectsB[i] != 0 && dilated[i] == 0 ? (byte)1 : (byte)0;
        }

        f[(int)TilePairFeature.BlobsDisappeared] = BlobCounter.Count(only, w, h, 4, 80, true, ws.Labels, ws.Stack).Count;
    }

    /// <summary>Marks pixels much darker or brighter than their 15×15 neighbourhood; returns dark and bright compact blob counts. Dark pixels get 1, bright 2.</summary>
    private static (int Dark, int Bright) ObjectMask(ReadOnlySpan<float> lum, ReadOnlySpan<double> lumTable, ReadOnlySpan<byte> valid, int validCount, int w, int h, Span<byte> objects, Workspace ws)
    {
        var n = w * h;
        var contrast = ws.Plane(7);
        BoxFilter.Mean(lumTable, w, h, 7, contrast);
        var absContrast = ws.Plane(8);
        for (var i = 0; i < n; i++)
        {
            contrast[i] = lum[i] - contrast[i];
            absContrast[i] = MathF.Abs(contrast[i]);
        }

        var len = RobustStats.SortedSample(absContrast, ws.Positions, ws.Sample);
        var sigma = 1.4826f * RobustStats.Quantile(ws.Sample[..len], 0.5);
        var threshold = Math.Max(2.5f * sigma, 0.5f);
        var mask = ws.Bytes(4);
        for (var i = 0; i < n; i++)
        {
            mask[i] = valid[i] != 0 && contrast[i] < -threshold ? (byte)1 : (byte)0;
        }

        var dark = BlobCounter.Count(mask, w, h, 4, 80, true, ws.Labels, ws.Stack).Count;
        for (var i = 0; i < n; i++)
        {
            objects[i] = mask[i];
            mask[i] = valid[i] != 0 && contrast[i] > threshold ? (byte)1 : (byte)0;
            objects[i] |= mask[i];
        }

        var bright = BlobCounter.Count(mask, w, h, 4, 80, true, ws.Labels, ws.Stack).Count;
        return (dark, bright);
    }

    private static void LuminanceAndTexture(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<byte> valid, int validCount, int w, int h, Span<float> f, Workspace ws)
    {
        var n = w * h;
        var d = ws.Plane(4);
        double sum = 0;
        for (var i = 0; i < n; i++)
        {
            d[i] = valid[i] != 0 ? a[i] - b[i] : 0f;
            sum += d[i];
        }

        f[(int)TilePairFeature.LuminanceChangeMean] = (float)(sum / validCount);
        var local = ws.Plane(7);
        BoxFilter.Mean(d, w, h, 2, local, ws.Integral);
        var len = RobustStats.SortedSample(local, ws.Positions, ws.Sample);
        f[(int)TilePairFeature.LuminanceChangeLocalP01] = RobustStats.Quantile(ws.Sample[..len], 0.01);
        f[(int)TilePairFeature.LuminanceChangeLocalP99] = RobustStats.Quantile(ws.Sample[..len], 0.99);

        var stdA = ws.Plane(7);
        var stdB = ws.Plane(8);
        LocalStd(ws.SumA, ws.SumAA, w, h, stdA, ws.Plane(9));
        LocalStd(ws.SumB, ws.SumBB, w, h, stdB, ws.Plane(9));
        double sumT = 0;
        for (var i = 0; i < n; i++)
        {
            var t = valid[i] != 0 ? MathF.Abs(stdA[i] - stdB[i]) : 0f;
            d[i] = t;
            sumT += t;
        }

        f[(int)TilePairFeature.TextureChangeMean] = (float)(sumT / validCount);
        len = RobustStats.SortedSample(d, ws.Positions, ws.Sample);
        f[(int)TilePairFeature.TextureChangeP99] = RobustStats.Quantile(ws.Sample[..len], 0.99);
    }

    /// <summary>5×5 standard deviation from the summed-area tables of a plane and of its square.</summary>
    private static void LocalStd(ReadOnlySpan<double> sum, ReadOnlySpan<double> sumOfSquares, int w, int h, Span<float> std, Span<float> scratch)
    {
        BoxFilter.Mean(sum, w, h, 2, std);
        BoxFilter.Mean(sumOfSquares, w, h, 2, scratch);
        for (var i = 0; i < w * h; i++)
        {
            std[i] = MathF.Sqrt(Math.Max(0f, scratch[i] - std[i] * std[i]));
        }
    }

    private static void Ndvi(TileRaster before, TileRaster after, ReadOnlySpan<byte> valid, int validCount, Span<float> f, Workspace ws)
    {
        var n = before.Width * before.Height;
        var d = ws.Plane(4);
        var redA = after.Band(0);
        var nirA = after.Band(3);
        var redB = before.Band(0);
        var nirB = before.Band(3);
        double sum = 0;
        var above = 0;
        for (var i = 0; i < n; i++)
        {
            if (valid[i] == 0)
            {
                d[i] = 0;
                continue;
            }

            var na = (nirA[i] - redA[i]) / Math.Max(1e-6f, MathF.Abs(nirA[i] + redA[i]));
            var nb = (nirB[i] - redB[i]) / Math.Max(1e-6f, MathF.Abs(nirB[i] + redB[i]));
            var v = Math.Clamp(na, -1f, 1f) - Math.Clamp(nb, -1f, 1f);
            d[i] = v;
            sum += v;
            if (MathF.Abs(v) > 0.2f)
            {
                above++;
            }
        }

        f[(int)TilePairFeature.NdviChangeMean] = (float)(sum / validCount);
        f[(int)TilePairFeature.NdviChangeFractionAbove02] = (float)above / validCount;
        var len = RobustStats.SortedSample(d, ws.Positions, ws.Sample);
        f[(int)TilePairFeature.NdviChangeP01] = RobustStats.Quantile(ws.Sample[..len], 0.01);
        f[(int)TilePairFeature.NdviChangeP99] = RobustStats.Quantile(ws.Sample[..len], 0.99);
    }

    /// <summary>Slices of the rented buffers.</summary>
    private ref struct Workspace
    {
        private readonly Span<float> _floats;
        private readonly Span<byte> _bytes;
        private readonly int _n;
        private readonly int _bands;
        private readonly int _integralLength;

        public Workspace(float[] floats, int[] ints, byte[] bytes, double[] doubles, int n, int bands, int integralLength)
        {
            _floats = floats;
            _bytes = bytes;
            _n = n;
            _bands = bands;
            Labels = ints.AsSpan(0, n);
            Stack = ints.AsSpan(n, n);
            PositionScratch = ints.AsSpan(2 * n, RobustStats.MaxSample);
            Integral = doubles.AsSpan(0, integralLength);
            LuminanceTables = doubles.AsSpan(integralLength, 4 * integralLength);
            _integralLength = integralLength;
            Sample = floats.AsSpan(n * (2 * bands + 11), RobustStats.MaxSample);
        }

        public Span<int> Labels { get; }

        public Span<int> Stack { get; }

        public Span<double> Integral { get; }

        /// <summary>Summed-area tables of the after and before luminance and of their squares, built once by the correlation and read by the blob and texture features.</summary>
        public Span<double> LuminanceTables { get; }

        public Span<double> SumA => LuminanceTables[.._integralLength];

        public Span<double> SumB => LuminanceTables.Slice(_integralLength, _integralLength);

        public Span<double> SumAA => LuminanceTables.Slice(2 * _integralLength, _integralLength);

        public Span<double> SumBB => LuminanceTables.Slice(3 * _integralLength, _integralLength);

        public Span<float> Sample { get; }

        /// <summary>Scratch for the sample positions (<see cref="RobustStats.MaxSample"/> ints).</summary>
        public Span<int> PositionScratch { get; }

        /// <summary>The sample positions of the pixels valid in both dates, shared by every quantile of the tile.</summary>
        public ReadOnlySpan<int> Positions { get; set; }

        public Span<float> ZAfter => _floats.Slice(0, _bands * _n);

        public Span<float> ZBefore => _floats.Slice(_bands * _n, _bands * _n);

        public Span<float> Plane(int index) => _floats.Slice((2 * _bands + index) * _n, _n);

        public Span<byte> Bytes(int index) => _bytes.Slice(index * _n, _n);
    }
}
