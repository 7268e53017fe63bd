using System.Buffers;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// The change-type model's input: the <see cref="TilePairFeatures"/> vector followed by the <see cref="ChangeTypeFeature"/>
/// values (<see cref="Count"/> floats), which say which way the change goes (objects appearing or leaving, greening or
/// browning), what colour it has and what shape its regions take (compact vehicles, long trenches, one large clearing).
/// The extra features are computed from the rasters in a few passes (box filters over summed-area tables, one
/// connected-component walk); scratch memory (about 70 bytes per pixel) is rented from <see cref="ArrayPool{T}.Shared"/>
/// and returned. Bands 1-3 are read as R, G, B (fewer are repeated); NaN in either date marks a pixel masked. Thread-safe.
/// </summary>
public static class ChangeTypeFeatures
{
    /// <summary>Number of extra features (<see cref="ChangeTypeFeature"/> members).</summary>
    public const int ExtraCount = 17;

    /// <summary>Length of the type model's feature vector: <see cref="TilePairFeatures.Count"/> + <see cref="ExtraCount"/>.</summary>
    public const int Count = TilePairFeatures.Count + ExtraCount;

    private const float MinChangeThreshold = 1.2f;
    private const float ObjectContrast = 1.5f;
    private const int MinRegionPixels = 6;
    private const int Blocks = 8;

    /// <summary>Feature names in vector order: the tile-pair names, then the <see cref="ChangeTypeFeature"/> names.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. TilePairFeatures.Names, .. Enum.GetNames<ChangeTypeFeature>()];

    /// <summary>
    /// Fills <paramref name="features"/> (length at least <see cref="Count"/>): the tile-pair features of the pair, then the
    /// extra features (<see cref="ComputeExtras"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The rasters differ in size or band count, or the span is too short.</exception>
    public static void Compute(TileRaster before, TileRaster after, Span<float> features)
    {
        if (features.Length < Count)
        {
            throw new ArgumentException($"The feature span must hold {Count} values.", nameof(features));
        }

        TilePairFeatures.Compute(before, after, features[..TilePairFeatures.Count]);
        ComputeExtras(before, after, features.Slice(TilePairFeatures.Count, ExtraCount));
    }

    /// <summary>
    /// Fills <paramref name="extras"/> (length at least <see cref="ExtraCount"/>) with the <see cref="ChangeTypeFeature"/>
    /// values of the pair; all zero when fewer than 16 pixels are valid in both dates.
    /// </summary>
    /// <exception cref="ArgumentException">The rasters differ in size or band count, or the span is too short.</exception>
    public static void ComputeExtras(TileRaster before, TileRaster after, Span<float> extras)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Width != after.Width || before.Height != after.Height || before.BandCount != after.BandCount)
        {
            throw new ArgumentException("Before and after must have the same size and band count.", nameof(after));
        }

        if (extras.Length < ExtraCount)
        {
            throw new ArgumentException($"The span must hold {ExtraCount} values.", nameof(extras));
        }

        var n = before.Width * before.Height;
        var floats = ArrayPool<float>.Shared.Rent(13 * n);
        var ints = ArrayPool<int>.Shared.Rent(2 * n);
        var bytes = ArrayPool<byte>.Shared.Rent(2 * n);
        var doubles = ArrayPool<double>.Shared.Rent(BoxFilter.IntegralLength(before.Width, before.Height));
        try
        {
            extras[..ExtraCount].Clear();
            Extras(before, after, extras, floats, ints, bytes, doubles);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(doubles);
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<int>.Shared.Return(ints);
            ArrayPool<float>.Shared.Return(floats);
        }
    }

    private static void Extras(TileRaster before, TileRaster after, Span<float> f, float[] floats, int[] ints, byte[] bytes, double[] integral)
    {
        var w = before.Width;
        var h = before.Height;
        var n = w * h;
        var valid = bytes.AsSpan(0, n);
        var validCount = DateNormalisation.MarkValid(before, after, valid);
        if (validCount < 16)
        {
            return;
        }

        Span<float> Plane(int i) => floats.AsSpan(i * n, n);
        var visible = Math.Min(before.BandCount, 3);

        // Planes 0-5: each visible band of each date in z units of its own mean and standard deviation over valid
        // pixels (after: 0-2, before: 3-5); moments, not quantiles: one pass, no sort.
        for (var b = 0; b < 3; b++)
        {
            var band = Math.Min(b, visible - 1);
            Standardise(after.Band(band), valid, validCount, Plane(b));
            Standardise(before.Band(band), valid, validCount, Plane(3 + b));
        }

        // Luminance (6 after, 7 before), colour difference magnitude (8), smoothed 3×3 (9).
        var lumA = Plane(6);
        var lumB = Plane(7);
        var d = Plane(8);
        var rA = Plane(0);
        var gA = Plane(1);
        var bA = Plane(2);
        var rB = Plane(3);
        var gB = Plane(4);
        var bB = Plane(5);
        for (var i = 0; i < n; i++)
        {
            lumA[i] = (rA[i] + gA[i] + bA[i]) * (1f / 3);
            lumB[i] = (rB[i] + gB[i] + bB[i]) * (1f / 3);
            var er = rA[i] - rB[i];
            var eg = gA[i] - gB[i];
            var eb = bA[i] - bB[i];
            d[i] = valid[i] != 0 ? MathF.Sqrt((er * er + eg * eg + eb * eb) * (1f / 3)) : 0f;
        }

        var smooth = Plane(9);
        BoxFilter.Mean(d, w, h, 1, smooth, integral);
        var threshold = Math.Max(MinChangeThreshold, 3f * HistogramMedian(smooth, valid, validCount));
        var changed = bytes.AsSpan(n, n);
        var changedCount = 0;
        for (var i = 0; i < n; i++)
        {
            var c = valid[i] != 0 && smooth[i] > threshold;
            changed[i] = c ? (byte)1 : (byte)0;
            changedCount += c ? 1 : 0;
        }

        f[(int)ChangeTypeFeature.ChangedFraction] = (float)changedCount / validCount;

        // Greenness from the raw bands (a ratio: gains drop out), over all valid pixels and over changed ones.
        Greenness(before, after, valid, validCount, changed, changedCount, visible, f);
        if (changedCount == 0)
        {
            return;
        }

        // Per date, from one summed-area table of the luminance: local contrast against the 15×15 mean (10 after, 11
        // before) and the 5×5 mean (8 after, 9 before), which the squared table turns into the 5×5 standard deviation.
        var contrastA = Plane(10);
        var contrastB = Plane(11);
        var stdA = Plane(8);
        var stdB = Plane(9);
        LocalContrastAndStd(lumA, w, h, contrastA, stdA, Plane(12), integral);
        LocalContrastAndStd(lumB, w, h, contrastB, stdB, Plane(12), integral);

        double contrastGain = 0, textureGain = 0, lumChange = 0, warmth = 0;
        int darkBalance = 0, brightBalance = 0;
        for (var i = 0; i < n; i++)
        {
            if (changed[i] == 0)
            {
                continue;
            }

            var ca = contrastA[i];
            var cb = contrastB[i];
            contrastGain += MathF.Abs(ca) - MathF.Abs(cb);
            textureGain += stdA[i] - stdB[i];
            lumChange += lumA[i] - lumB[i];
            warmth += rA[i] - rB[i] - (bA[i] - bB[i]);
            darkBalance += (ca < -ObjectContrast && cb > -0.5f * ObjectContrast ? 1 : 0) - (cb < -ObjectContrast && ca > -0.5f * ObjectContrast ? 1 : 0);
            brightBalance += (ca > ObjectContrast && cb < 0.5f * ObjectContrast ? 1 : 0) - (cb > ObjectContrast && ca < 0.5f * ObjectContrast ? 1 : 0);
        }

        var inv = 1.0 / changedCount;
        f[(int)ChangeTypeFeature.ContrastGain] = (float)(contrastGain * inv);
        f[(int)ChangeTypeFeature.TextureGain] = (float)(textureGain * inv);
        f[(int)ChangeTypeFeature.LuminanceChangeInChange] = (float)(lumChange * inv);
        f[(int)ChangeTypeFeature.WarmthChangeInChange] = (float)(warmth * inv);
        f[(int)ChangeTypeFeature.DarkObjectBalance] = (float)(darkBalance * inv);
        f[(int)ChangeTypeFeature.BrightObjectBalance] = (float)(brightBalance * inv);

        Regions(changed, w, h, ints.AsSpan(0, n), ints.AsSpan(n, n), f);
        ChangedBlocks(changed, w, h, f);
    }

    private static void Standardise(ReadOnlySpan<float> band, ReadOnlySpan<byte> valid, int validCount, Span<float> z)
    {
        double sum = 0, sumSquares = 0;
        for (var i = 0; i < z.Length; i++)
        {
            if (valid[i] != 0)
            {
                sum += band[i];
                sumSquares += (double)band[i] * band[i];
            }
        }

        var mean = sum / validCount;
        var std = Math.Sqrt(Math.Max(0, sumSquares / validCount - mean * mean));
        var scale = (float)Math.Max(std, Math.Max(1e-6, 0.01 * Math.Abs(mean)));
        var inv = 1f / scale;
        var m = (float)mean;
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = valid[i] != 0 ? (band[i] - m) * inv : 0f;
        }
    }

    /// <summary>Median of the valid values of a non-negative plane from a 256-bin histogram over [0, 8) (bin width 1/32; larger values count in the last bin).</summary>
    private static float HistogramMedian(ReadOnlySpan<float> plane, ReadOnlySpan<byte> valid, int validCount)
    {
        Span<int> counts = stackalloc int[256];
        for (var i = 0; i < plane.Length; i++)
        {
            if (valid[i] != 0)
            {
                counts[Math.Clamp((int)(plane[i] * 32f), 0, 255)]++;
            }
        }

        var half = validCount / 2;
        var seen = 0;
        for (var b = 0; b < counts.Length; b++)
        {
            seen += counts[b];
            if (seen > half)
            {
                return (b + 0.5f) / 32f;
            }
        }

        return 8f;
    }

    private static void Greenness(TileRaster before, TileRaster after, ReadOnlySpan<byte> valid, int validCount, ReadOnlySpan<byte> changed, int changedCount, int visible, Span<float> f)
    {
        if (visible < 3)
        {
            return;
        }

        var rA = after.Band(0);
        var gA = after.Band(1);
        var bA = after.Band(2);
        var rB = before.Band(0);
        var gB = before.Band(1);
        var bB = before.Band(2);
        double sum = 0, sumChanged = 0;
        var above = 0;
        for (var i = 0; i < valid.Length; i++)
        {
            if (valid[i] == 0)
            {
                continue;
            }

            var ga = (2 * gA[i] - rA[i] - bA[i]) / Math.Max(1e-6f, MathF.Abs(rA[i] + gA[i] + bA[i]));
            var gb = (2 * gB[i] - rB[i] - bB[i]) / Math.Max(1e-6f, MathF.Abs(rB[i] + gB[i] + bB[i]));
            var v = Math.Clamp(ga, -2f, 2f) - Math.Clamp(gb, -2f, 2f);
            sum += v;
            sumChanged += changed[i] != 0 ? v : 0;
            above += MathF.Abs(v) > 0.05f ? 1 : 0;
        }

        f[(int)ChangeTypeFeature.GreennessChangeMean] = (float)(sum / validCount);
        f[(int)ChangeTypeFeature.GreennessChangeFraction] = (float)above / validCount;
        f[(int)ChangeTypeFeature.GreennessChangeInChange] = changedCount > 0 ? (float)(sumChanged / changedCount) : 0f;
    }

    private static void LocalContrastAndStd(ReadOnlySpan<float> lum, int w, int h, Span<float> contrast, Span<float> std, Span<float> scratch, Span<double> integral)
    {
        BoxFilter.Integrate(lum, w, h, integral);
        BoxFilter.Mean(integral, w, h, 7, contrast);
        BoxFilter.Mean(integral, w, h, 2, std);
        BoxFilter.Integrate(lum, w, h, integral, squared: true);
        BoxFilter.Mean(integral, w, h, 2, scratch);
        for (var i = 0; i < lum.Length; i++)
        {
            contrast[i] = lum[i] - contrast[i];
            std[i] = MathF.Sqrt(Math.Max(0f, scratch[i] - std[i] * std[i]));
        }
    }

    /// <summary>
    /// Walks the 8-connected regions of the changed mask once (<see cref="BlobCounter.Collect"/>), with their area, box and
    /// second moments (<see cref="BlobShape"/>). The mask is marked while walking and given back as it came.
    /// </summary>
    private static void Regions(Span<byte> changed, int w, int h, Span<int> members, Span<int> stack, Span<float> f)
    {
        int compact = 0, compactArea = 0, largeArea = 0, linearArea = 0, regionArea = 0, largest = 0;
        float largestElongation = 1f, largestFill = 0f;
        for (var start = 0; start < changed.Length; start++)
        {
            if (changed[start] != 1)
            {
                continue;
            }

            var area = BlobCounter.Collect(changed, w, h, start, 1, 2, stack, members);
            if (area < MinRegionPixels)
            {
                continue;
            }

            var shape = BlobShape.Of(members[..area], w);
            regionArea += area;
            var bw = shape.X1 - shape.X0 + 1;
            var bh = shape.Y1 - shape.Y0 + 1;
            var fill = area / (float)(bw * bh);
            var elongation = (float)Math.Sqrt(shape.MajorVariance / shape.MinorVariance);
            if (area <= 150 && bw <= 24 && bh <= 24 && fill >= 0.3f)
            {
                compact++;
                compactArea += area;
            }

            if (area >= 400)
            {
                largeArea += area;
            }

            if (area >= 30 && (elongation > 3f || fill < 0.25f))
            {
                linearArea += area;
            }

            if (area > largest)
            {
                (largest, largestElongation, largestFill) = (area, elongation, fill);
            }
        }

        f[(int)ChangeTypeFeature.CompactRegions] = compact;
        f[(int)ChangeTypeFeature.CompactRegionMeanArea] = compact > 0 ? (float)compactArea / compact : 0f;
        f[(int)ChangeTypeFeature.LargeRegionShare] = regionArea > 0 ? (float)largeArea / regionArea : 0f;
        f[(int)ChangeTypeFeature.LargestRegionElongation] = largestElongation;
        f[(int)ChangeTypeFeature.LargestRegionFill] = largestFill;
        f[(int)ChangeTypeFeature.LinearRegionShare] = regionArea > 0 ? (float)linearArea / regionArea : 0f;
        foreach (ref var c in changed)
        {
            c = c == 2 ? (byte)1 : c;
        }
    }

    private static void ChangedBlocks(ReadOnlySpan<byte> changed, int w, int h, Span<float> f)
    {
        Span<int> counts = stackalloc int[Blocks * Blocks];
        for (var y = 0; y < h; y++)
        {
            var by = Math.Min(Blocks - 1, y * Blocks / h);
            var row = changed.Slice(y * w, w);
            for (var x = 0; x < w; x++)
            {
                counts[by * Blocks + Math.Min(Blocks - 1, x * Blocks / w)] += row[x];
            }
        }

        var blockPixels = (double)w * h / (Blocks * Blocks);
        var withChange = 0;
        foreach (var c in counts)
        {
            withChange += c > 0.02 * blockPixels ? 1 : 0;
        }

        f[(int)ChangeTypeFeature.ChangedBlockFraction] = withChange / (float)(Blocks * Blocks);
    }
}
