using System.Buffers;
using System.Numerics;

namespace ChangeWatch.Detection;

/// <summary>
/// Finds clouds, their shadows and haze in one date of a co-registered tile pair, judged against the other date of the
/// same place (so the scene's own brightness and texture are the reference, whatever the sample units). Conservative:
/// it would rather leave a cloud to the change model than mask a real change.
/// <list type="number">
/// <item>Brightness: each date's luminance (mean of the first three bands); the other date is mapped onto this date's
/// scale by matching their 10th and 40th percentiles (low quantiles, which clouds covering up to about half the tile do
/// not move; the gain kept within 0.5-2); a pixel's <em>excess</em> is its luminance minus the mapped other date, in units of this date's
/// 10th-40th percentile spread <c>s</c>.</item>
/// <item>Cloud: a connected region grown from core pixels (excess ≥ <see cref="CoreExcess"/> s, brighter than the other
/// date's 98th percentile mapped and at least <see cref="MinBrightening"/> times the other date's luminance there, spectrum nearly flat: (max − min) / max of the visible bands below
/// <see cref="CoreFlatness"/>, smooth: 5×5 standard deviation below <see cref="CoreTexture"/> of the excess) over rim
/// pixels (excess ≥ 1 s, spectrum below <see cref="RimFlatness"/>); kept when it covers at least
/// <see cref="MinCloudPixels"/> pixels and its edge is soft: the mean drop of the excess across its boundary is at most
/// <see cref="MaxEdgeSharpness"/> of its core's mean excess. A cloud's rim fades over several pixels (the unit tests'
/// clouds fade over 8-12 px; rims under about 8 px are not masked); a roof, a pad or a vehicle ends within one or two
/// and is left to the change model.</item>
/// <item>Cloud shadow: a region darker than the mapped other date (core ≥ 3 s darker, at most <see cref="MaxDarkening"/>
/// times the other date's luminance, and smooth; grown over ≥ 1 s), of
/// at least a quarter of <see cref="MinCloudPixels"/>, within <see cref="ShadowSearchRadius"/> pixels of a cloud found
/// in the same date. Dark regions far from any cloud are left to the change model.</item>
/// <item>Overcast: when the tile is (nearly) all cloud the low quantiles are cloud too, so instead: the date's median
/// luminance is over 1.5 times the other date's, over half its pixels have a flat spectrum (below 0.2) and its median
/// texture is under half the other date's; then its pixels with a spectrum below 0.3 brighter than midway between the
/// two medians are cloud.</item>
/// <item>No cloud is searched when the dates' spreads differ by more than <see cref="MinContrastRatio"/> (haze or exposure
/// in either date) unless the tile is overcast, nor when fewer than an eighth of <see cref="MinCloudPixels"/> pixels pass
/// the core tests that need no texture.</item>
/// <item>Clouds and shadows are widened by <see cref="EdgeMargin"/> pixels.</item>
/// <item>Haze (a caveat, not masked): the date's contrast ((98th − 2nd percentile) / median of the luminance) is below
/// 0.7 of the other date's and its dark level (2nd percentile / median) is higher by more than 0.1.</item>
/// </list>
/// Measured on 256-px tiles of real pairs without clouds (42 SZTAKI, 40 OSCD, 11 LEVIR tiles): no pixel masked (before
/// the brightening-ratio and contrast rules, 0.5 % of SZTAKI's pixel-dates were, bright bare soil between seasons, and
/// OSCD tiles beside a hazy date lost grey urban ground and water).
/// The work is linear in the pixels (every region is filled and kept in time proportional to its size).
/// Scratch memory (about 110 bytes a pixel) is rented and returned. Thread-safe.
/// </summary>
public static class CloudMask
{
    /// <summary>Smallest cloud region, pixels.</summary>
    public const int MinCloudPixels = 200;

    /// <summary>
    /// Sharpest edge a cloud may have: the mean drop of the excess across its boundary, as a fraction of its core's mean
    /// excess (a cloud's rim fades over several pixels; a roof or a pad ends within one or two).
    /// </summary>
    public const float MaxEdgeSharpness = 0.15f;

    /// <summary>
    /// Least ratio of a cloud core's luminance to the other date's at the same place (unmapped): the excess alone, in units
    /// of a spread that water or another uniform surface can make tiny, would let unchanged land read as cloud.
    /// </summary>
    public const float MinBrightening = 1.3f;

    /// <summary>
    /// Least ratio between the dates' luminance spreads (10th-40th percentile) for clouds to be searched (and at most its
    /// inverse): beyond it the dates differ in contrast (haze, exposure) and brightening is no sign of cloud. Measured on
    /// OSCD: a hazy date made the clear one's grey urban ground read as cloud and its water as cloud shadow.
    /// </summary>
    public const float MinContrastRatio = 0.75f;

    /// <summary>Largest ratio of a shadow core's luminance to the other date's at the same place.</summary>
    public const float MaxDarkening = 0.75f;

    /// <summary>Least excess of a cloud core, in units of the date's 10th-40th percentile spread.</summary>
    public const float CoreExcess = 4f;

    /// <summary>Flattest spectrum a cloud core may have ((max − min) / max of the visible bands).</summary>
    public const float CoreFlatness = 0.1f;

    /// <summary>Flattest spectrum a cloud rim may have.</summary>
    public const float RimFlatness = 0.3f;

    /// <summary>Roughest texture a cloud or shadow core may have, as a fraction of its excess.</summary>
    public const float CoreTexture = 0.1f;

    /// <summary>How far from a cloud of the same date a shadow may lie, pixels.</summary>
    public const int ShadowSearchRadius = 48;

    /// <summary>Width of the margin added around clouds and shadows, pixels.</summary>
    public const int EdgeMargin = 2;

    private const int MinValidPixels = 256;

    /// <summary>Scratch planes shared by the two dates: each date's luminance and spectral flatness.</summary>
    private const int SharedPlanes = 4;

    /// <summary>Fewest pixels passing the texture-free core tests for a date to be searched for clouds (an eighth of <see cref="MinCloudPixels"/>).</summary>
    private const int MinCoreCandidates = MinCloudPixels / 8;

    /// <summary>
    /// Adds <see cref="MaskReason"/> flags for <paramref name="date"/> into <paramref name="reasons"/> (width × height,
    /// row-major; existing flags are kept), judging it against <paramref name="other"/> (same size and bands). Returns the
    /// pixels newly marked as cloud and as shadow, and whether the date looked hazy.
    /// </summary>
    /// <exception cref="ArgumentException">The rasters differ in size or band count, or <paramref name="reasons"/> is too short.</exception>
    public static (int Cloud, int Shadow, bool Hazy) Mark(Core.Imaging.TileRaster date, Core.Imaging.TileRaster other, Span<byte> reasons)
    {
        ArgumentNullException.ThrowIfNull(date);
        ArgumentNullException.ThrowIfNull(other);
        if (date.Width != other.Width || date.Height != other.Height || date.BandCount != other.BandCount)
        {
            throw new ArgumentException("Both dates must have the same size and band count.", nameof(other));
        }

        var (w, h) = (date.Width, date.Height);
        var n = w * h;
        if (reasons.Length < n)
        {
            throw new ArgumentException("The reasons span must hold width × height values.", nameof(reasons));
        }

        return MarkDates(date, other, reasons[..n], default).First;
    }

    /// <summary>
    /// <see cref="Mark"/> for both dates of a pair at once (<paramref name="first"/> judged against
    /// <paramref name="second"/> into <paramref name="reasonsFirst"/>, and the reverse), with the same results as two calls:
    /// each date's luminance, spectral flatness and quantiles are computed once instead of twice.
    /// </summary>
    /// <exception cref="ArgumentException">The rasters differ in size or band count, or a reasons span is too short.</exception>
    public static ((int Cloud, int Shadow, bool Hazy) First, (int Cloud, int Shadow, bool Hazy) Second) MarkBoth(
        Core.Imaging.TileRaster first, Core.Imaging.TileRaster second, Span<byte> reasonsFirst, Span<byte> reasonsSecond)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Width != second.Width || first.Height != second.Height || first.BandCount != second.BandCount)
        {
            throw new ArgumentException("Both dates must have the same size and band count.", nameof(second));
        }

        var n = first.Width * first.Height;
        if (reasonsFirst.Length < n || reasonsSecond.Length < n)
        {
            throw new ArgumentException("The reasons spans must hold width × height values.", nameof(reasonsFirst));
        }

        return MarkDates(first, second, reasonsFirst[..n], reasonsSecond[..n]);
    }

    /// <summary>Marks <paramref name="first"/> against <paramref name="second"/> and, when <paramref name="reasonsSecond"/> is not empty, the reverse.</summary>
    private static ((int Cloud, int Shadow, bool Hazy) First, (int Cloud, int Shadow, bool Hazy) Second) MarkDates(
        Core.Imaging.TileRaster first, Core.Imaging.TileRaster second, Span<byte> reasonsFirst, Span<byte> reasonsSecond)
    {
        var (w, h) = (first.Width, first.Height);
        var n = w * h;
        var floats = ArrayPool<float>.Shared.Rent(SharedPlanes * n + 7 * n + RobustStats.MaxSample);
        var ints = ArrayPool<int>.Shared.Rent(3 * n);
        var bytes = ArrayPool<byte>.Shared.Rent(3 * n);
        var doubles = ArrayPool<double>.Shared.Rent(2 * BoxFilter.IntegralLength(w, h));
        try
        {
            var ws = new Scratch(floats, ints, bytes, doubles, n, BoxFilter.IntegralLength(w, h));
            Span<float> lumFirst = ws.Shared(0), lumSecond = ws.Shared(1), flatFirst = ws.Shared(2), flatSecond = ws.Shared(3);
            Luminance(first, lumFirst, flatFirst);
            Luminance(second, lumSecond, reasonsSecond.IsEmpty ? default : flatSecond);
            var valid = ws.Bytes(0);
            var validCount = 0;
            var lanes = Vector<float>.Count;
            var infinity = new Vector<float>(float.PositiveInfinity);
            var start = 0;
            for (; start + lanes <= n; start += lanes)
            {
                // A vector of pixels where both luminances are finite (|v| < ∞ is false for NaN and ±∞) is all valid;
                // any other is done pixel by pixel.
                if (Vector.LessThanAll(Vector.Abs(new Vector<float>(lumFirst.Slice(start, lanes))), infinity)
                    && Vector.LessThanAll(Vector.Abs(new Vector<float>(lumSecond.Slice(start, lanes))), infinity))
                {
                    valid.Slice(start, lanes).Fill(1);
                    validCount += lanes;
                }
                else
                {
                    validCount += MarkValid(lumFirst, lumSecond, valid, start, start + lanes);
                }
            }

            validCount += MarkValid(lumFirst, lumSecond, valid, start, n);

            // Each date's quantiles over the pixels valid in both (the same sample positions for both dates).
            var (qFirst, qSecond) = (default(Levels), default(Levels));
            if (validCount >= MinValidPixels)
            {
                var len = RobustStats.SortedSample(lumFirst, valid, validCount, ws.Sample);
                qFirst = Quantiles(ws.Sample[..len]);
                len = RobustStats.SortedSample(lumSecond, valid, validCount, ws.Sample);
                qSecond = Quantiles(ws.Sample[..len]);
            }

            var firstResult = MarkCore(lumFirst, lumSecond, flatFirst, valid, validCount, qFirst, qSecond, w, h, reasonsFirst, ws);
            var secondResult = reasonsSecond.IsEmpty ? default : MarkCore(lumSecond, lumFirst, flatSecond, valid, validCount, qSecond, qFirst, w, h, reasonsSecond, ws);
            return (firstResult, secondResult);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(doubles);
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<int>.Shared.Return(ints);
            ArrayPool<float>.Shared.Return(floats);
        }
    }

    /// <summary>Sets <paramref name="valid"/> to 1 where both luminances are finite in [<paramref name="from"/>, <paramref name="to"/>), 0 elsewhere; returns the count of 1s.</summary>
    private static int MarkValid(ReadOnlySpan<float> lumFirst, ReadOnlySpan<float> lumSecond, Span<byte> valid, int from, int to)
    {
        var count = 0;
        for (var i = from; i < to; i++)
        {
            var ok = float.IsFinite(lumFirst[i]) && float.IsFinite(lumSecond[i]);
            valid[i] = ok ? (byte)1 : (byte)0;
            count += ok ? 1 : 0;
        }

        return count;
    }

    /// <summary>
    /// One date's clouds, shadows and haze from its luminance and flatness and the other date's luminance (read only), the
    /// pixels valid in both, into <paramref name="reasons"/>.
    /// </summary>
    private static (int Cloud, int Shadow, bool Hazy) MarkCore(
        ReadOnlySpan<float> dateLum, ReadOnlySpan<float> otherLum, ReadOnlySpan<float> flatness, ReadOnlySpan<byte> valid, int validCount, Levels dateLevels, Levels otherLevels,
        int w, int h, Span<byte> reasons, Scratch ws)
    {
        var n = w * h;
        var lum = ws.Floats(0);
        var lumOther = ws.Floats(1);
        var excess = ws.Floats(2);
        var texture = ws.Floats(3);
        var region = ws.Bytes(1);
        var kind = ws.Bytes(2); // per pixel, for the region fill: 2 = core, 1 = rim, 0 = neither
        var lanes = Vector<float>.Count;
        var infinity = new Vector<float>(float.PositiveInfinity);
        var start = 0;
        for (; start + lanes <= n; start += lanes)
        {
            if (!Vector.LessThanAll(Vector.Abs(new Vector<float>(dateLum.Slice(start, lanes))), infinity))
            {
                MarkNoData(dateLum, reasons, start, start + lanes);
            }
        }

        MarkNoData(dateLum, reasons, start, n);

        if (validCount < MinValidPixels)
        {
            return (0, 0, false);
        }

        var sample = ws.Sample;
        var (d02, d10, d40, d50, d98) = dateLevels;
        var (o02, o10, o40, o50, o98) = otherLevels;
        var hazy = d50 > 0 && o50 > 0
            && (d98 - d02) / d50 < 0.7f * (o98 - o02) / o50
            && d02 / d50 > o02 / o50 + 0.1f;

        var spread = Math.Max(d40 - d10, Math.Max(1e-6f, 0.01f * Math.Abs(d50)));
        var gain = o40 - o10 > 1e-6f ? Math.Clamp((d40 - d10) / (o40 - o10), 0.5f, 2f) : 1f;
        var offset = d10 - gain * o10;

        // Most tiles hold no cloud: with hardly any pixel passing the core tests that need no texture (bright above the
        // other date's 98th percentile, nearly white, excess ≥ CoreExcess) and no overcast-bright median, no cloud can be
        // kept below (nor a shadow, which needs one), so the texture planes and region fills are skipped.
        var brightFloor = gain * o98 + offset; // the other date's 98th percentile on this date's scale
        var candidates = 0;
        for (var i = 0; i < n; i++)
        {
            candidates += valid[i] != 0 && dateLum[i] >= brightFloor && flatness[i] < CoreFlatness
                && dateLum[i] - (gain * otherLum[i] + offset) >= CoreExcess * spread && dateLum[i] >= MinBrightening * otherLum[i] ? 1 : 0;
        }

        // A contrast difference between the dates (haze or a different exposure in either) makes unchanged bright ground
        // read as brightened and dark ground as darkened: the comparison cannot tell clouds from it, so none are searched.
        var steadyContrast = gain is >= MinContrastRatio and <= 1f / MinContrastRatio;
        if ((candidates < MinCoreCandidates || !steadyContrast) && !(o50 > 0 && d50 > 1.5f * o50))
        {
            return (0, 0, hazy);
        }

        // This date's working copies (the shared planes serve the other date too), 0 where either date has no data.
        for (var i = 0; i < n; i++)
        {
            lum[i] = valid[i] != 0 ? dateLum[i] : 0f;
            lumOther[i] = valid[i] != 0 ? otherLum[i] : 0f;
        }

        var otherTexture = ws.Floats(5);
        LocalStd(lum, w, h, texture, ws.Floats(6), ws.Integral(0), ws.Integral(1));
        LocalStd(lumOther, w, h, otherTexture, ws.Floats(6), ws.Integral(0), ws.Integral(1));
        if (Overcast(lum, texture, otherTexture, flatness, valid, validCount, d50, o50, region, sample))
        {
            Widen(region, EdgeMargin, w, h, lum, ws.Integral(0));
            return (MarkReason(region, reasons, MaskReason.Cloud), 0, hazy);
        }

        for (var i = 0; i < n; i++)
        {
            excess[i] = valid[i] != 0 ? (lum[i] - (gain * lumOther[i] + offset)) / spread : 0f;
            texture[i] /= spread; // spread units, as the excess
        }

        // Clouds: bright (above the other date's 98th percentile, mapped), flat spectrum, smooth cores grown over their
        // rims; kept when large and soft-edged.
        for (var i = 0; i < n; i++)
        {
            var e = excess[i];
            var bright = lum[i] >= brightFloor && lum[i] >= MinBrightening * lumOther[i];
            kind[i] = valid[i] == 0 ? (byte)0
                : bright && e >= CoreExcess && flatness[i] < CoreFlatness && texture[i] < CoreTexture * e ? (byte)2
                : e >= 1f && flatness[i] < RimFlatness ? (byte)1 : (byte)0;
        }

        region.Clear();
        if (Regions(excess, kind, w, h, sign: 1f, region, ws, maxSharpness: MaxEdgeSharpness, minPixels: MinCloudPixels) == 0)
        {
            return (0, 0, hazy);
        }

        Widen(region, EdgeMargin, w, h, lum, ws.Integral(0));
        var cloud = MarkReason(region, reasons, MaskReason.Cloud);

        // Shadows: dark smooth regions with a cloud of this date within the search radius.
        var near = lumOther;
        for (var i = 0; i < n; i++)
        {
            near[i] = region[i];
        }

        BoxFilter.Integrate(near, w, h, ws.Integral(0));
        BoxFilter.Mean(ws.Integral(0), w, h, ShadowSearchRadius, near);
        for (var i = 0; i < n; i++)
        {
            var e = -excess[i];
            kind[i] = valid[i] == 0 ? (byte)0
                : e >= 3f && texture[i] < CoreTexture * e && lum[i] <= MaxDarkening * lumOther[i] ? (byte)2
                : e >= 1f ? (byte)1 : (byte)0;
        }

        region.Clear();
        var shadow = 0;
        if (Regions(excess, kind, w, h, sign: -1f, region, ws, maxSharpness: float.PositiveInfinity, minPixels: MinCloudPixels / 4, near: near) > 0)
        {
            Widen(region, EdgeMargin, w, h, lum, ws.Integral(0));
            shadow = MarkReason(region, reasons, MaskReason.CloudShadow);
        }

        return (cloud, shadow, hazy);
    }

    /// <summary>Adds <see cref="Detection.MaskReason.NoData"/> where the luminance is not finite in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private static void MarkNoData(ReadOnlySpan<float> lum, Span<byte> reasons, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (!float.IsFinite(lum[i]))
            {
                reasons[i] |= (byte)Detection.MaskReason.NoData;
            }
        }
    }

    /// <summary>
    /// Flood-fills regions from core pixels (<paramref name="kind"/> 2) over core and rim pixels (1), keeps those of at
    /// least <paramref name="minPixels"/> pixels whose edge is soft (the mean step of <paramref name="sign"/>·excess across
    /// the region's boundary at most <paramref name="maxSharpness"/> times the core's mean) and, when
    /// <paramref name="near"/> is given, that touch a positive value of it; writes 1 into <paramref name="keep"/> for their
    /// pixels and returns the pixels kept.
    /// </summary>
    private static int Regions(
        ReadOnlySpan<float> excess, ReadOnlySpan<byte> kind, int w, int h, float sign, Span<byte> keep, Scratch ws, float maxSharpness,
        int minPixels, ReadOnlySpan<float> near = default)
    {
        var n = w * h;
        var labels = ws.Ints(0);
        var stack = ws.Ints(1);
        var members = ws.Ints(2); // the region's pixels, so keeping it costs its size, not the tile's
        labels.Clear();
        var kept = 0;
        var next = 0;
        for (var seed = 0; seed < n; seed++)
        {
            if (labels[seed] != 0 || kind[seed] != 2)
            {
                continue;
            }

            var label = ++next;
            var top = 0;
            stack[top++] = seed;
            labels[seed] = label;
            int pixels = 0, corePixels = 0, steps = 0;
            double coreSum = 0, stepSum = 0;
            var isNear = near.IsEmpty;
            while (top > 0)
            {
                var p = stack[--top];
                members[pixels++] = p;
                var e = sign * excess[p];
                if (kind[p] == 2)
                {
                    corePixels++;
                    coreSum += e;
                }

                isNear |= !near.IsEmpty && near[p] > 0;
                var (x, y) = (p % w, p / w);
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var (nx, ny) = (x + dx, y + dy);
                        if ((dx | dy) == 0 || nx < 0 || ny < 0 || nx >= w || ny >= h)
                        {
                            continue;
                        }

                        var q = ny * w + nx;
                        if (kind[q] != 0)
                        {
                            if (labels[q] == 0)
                            {
                                labels[q] = label;
                                stack[top++] = q;
                            }
                        }
                        else if (dx == 0 || dy == 0)
                        {
                            steps++;
                            stepSum += e - sign * excess[q]; // the drop across the boundary
                        }
                    }
                }
            }

            if (pixels < minPixels || !isNear)
            {
                continue;
            }

            var coreMean = coreSum / Math.Max(1, corePixels);
            if (steps > 0 && stepSum / steps > maxSharpness * coreMean)
            {
                continue;
            }

            foreach (var p in members[..pixels])
            {
                keep[p] = 1;
            }

            kept += pixels;
        }

        return kept;
    }

    /// <summary>
    /// A tile (nearly) all under cloud, where the low quantiles are cloud too and the excess cannot be measured: the date's
    /// median luminance is over 1.5 times the other date's, over half its pixels have a flat spectrum (below 0.2), and its
    /// median 5×5 texture is under half the other date's. Then every valid pixel with a fairly flat spectrum (below 0.3)
    /// brighter than midway between the two medians is cloud (written into <paramref name="region"/>).
    /// </summary>
    private static bool Overcast(
        ReadOnlySpan<float> lum, ReadOnlySpan<float> texture, ReadOnlySpan<float> otherTexture, ReadOnlySpan<float> flatness,
        ReadOnlySpan<byte> valid, int validCount, float median, float otherMedian, Span<byte> region, Span<float> sample)
    {
        if (!(otherMedian > 0 && median > 1.5f * otherMedian))
        {
            return false;
        }

        var flat = 0;
        for (var i = 0; i < lum.Length; i++)
        {
            flat += valid[i] != 0 && flatness[i] < 0.2f ? 1 : 0;
        }

        if (flat < validCount / 2)
        {
            return false;
        }

        var len = RobustStats.SortedSample(texture, valid, validCount, sample);
        var textureMedian = RobustStats.Quantile(sample[..len], 0.5);
        len = RobustStats.SortedSample(otherTexture, valid, validCount, sample);
        if (!(textureMedian < 0.5f * RobustStats.Quantile(sample[..len], 0.5)))
        {
            return false;
        }

        var cut = 0.5f * (median + otherMedian);
        for (var i = 0; i < lum.Length; i++)
        {
            region[i] = valid[i] != 0 && flatness[i] < 0.3f && lum[i] > cut ? (byte)1 : (byte)0;
        }

        return true;
    }

    /// <summary>Mean of the first three bands into <paramref name="lum"/> (NaN where any band is NaN) and, when asked, the spectral flatness (max − min) / max.</summary>
    private static void Luminance(Core.Imaging.TileRaster raster, Span<float> lum, Span<float> flatness)
    {
        var n = raster.Width * raster.Height;
        var bands = Math.Min(3, raster.BandCount);
        var b0 = raster.Band(0);
        var b1 = raster.Band(Math.Min(1, bands - 1));
        var b2 = raster.Band(Math.Min(2, bands - 1));
        var lanes = Vector<float>.Count;
        var third = new Vector<float>(1f / 3f);
        var start = 0;
        if (bands == 3)
        {
            // A vector of pixels at a time: the same operations; for pixels with a NaN band the flatness may differ from
            // the per-pixel loop's, and it is read only where both dates hold data.
            for (; start + lanes <= n; start += lanes)
            {
                var (r, g, b) = (new Vector<float>(b0.Slice(start, lanes)), new Vector<float>(b1.Slice(start, lanes)), new Vector<float>(b2.Slice(start, lanes)));
                ((r + g + b) * third).CopyTo(lum.Slice(start, lanes));
                if (!flatness.IsEmpty)
                {
                    var max = Vector.Max(r, Vector.Max(g, b));
                    var min = Vector.Min(r, Vector.Min(g, b));
                    Vector.ConditionalSelect(Vector.GreaterThan(max, new Vector<float>(1e-6f)), (max - min) / max, Vector<float>.One).CopyTo(flatness.Slice(start, lanes));
                }
            }
        }

        for (var i = start; i < n; i++)
        {
            var (r, g, b) = (b0[i], b1[i], b2[i]);
            lum[i] = (r + g + b) * (1f / 3f);
            if (!flatness.IsEmpty)
            {
                var max = MathF.Max(r, MathF.Max(g, b));
                var min = MathF.Min(r, MathF.Min(g, b));
                flatness[i] = bands < 3 ? 0f : max > 1e-6f ? (max - min) / max : 1f;
            }
        }
    }

    /// <summary>5×5 standard deviation.</summary>
    private static void LocalStd(ReadOnlySpan<float> plane, int w, int h, Span<float> std, Span<float> scratch, Span<double> i1, Span<double> i2)
    {
        BoxFilter.Integrate(plane, w, h, i1);
        BoxFilter.Integrate(plane, w, h, i2, squared: true);
        BoxFilter.Mean(i1, w, h, 2, std);
        BoxFilter.Mean(i2, w, h, 2, scratch);
        for (var i = 0; i < std.Length; i++)
        {
            std[i] = MathF.Sqrt(MathF.Max(0f, scratch[i] - std[i] * std[i]));
        }
    }

    /// <summary>Widens a 0/1 mask by <paramref name="radius"/> pixels (square neighbourhood).</summary>
    private static void Widen(Span<byte> mask, int radius, int w, int h, Span<float> scratch, Span<double> integral)
    {
        var n = w * h;
        for (var i = 0; i < n; i++)
        {
            scratch[i] = mask[i];
        }

        BoxFilter.Integrate(scratch[..n], w, h, integral);
        BoxFilter.Mean(integral, w, h, radius, scratch[..n]);
        for (var i = 0; i < n; i++)
        {
            mask[i] = scratch[i] > 0 ? (byte)1 : (byte)0;
        }
    }

    /// <summary>Adds <paramref name="reason"/> where <paramref name="region"/> is 1 and returns how many pixels carry it.</summary>
    private static int MarkReason(ReadOnlySpan<byte> region, Span<byte> reasons, MaskReason reason)
    {
        var count = 0;
        for (var i = 0; i < reasons.Length; i++)
        {
            if (region[i] != 0)
            {
                reasons[i] |= (byte)reason;
                count++;
            }
        }

        return count;
    }

    private static Levels Quantiles(ReadOnlySpan<float> sorted) =>
        new(RobustStats.Quantile(sorted, 0.02), RobustStats.Quantile(sorted, 0.10), RobustStats.Quantile(sorted, 0.40),
            RobustStats.Quantile(sorted, 0.50), RobustStats.Quantile(sorted, 0.98));

    /// <summary>A date's luminance quantiles over the pixels valid in both dates.</summary>
    private readonly record struct Levels(float Q02, float Q10, float Q40, float Q50, float Q98);

    private readonly ref struct Scratch(float[] floats, int[] ints, byte[] bytes, double[] doubles, int n, int integralLength)
    {
        private readonly float[] _floats = floats;
        private readonly int[] _ints = ints;
        private readonly byte[] _bytes = bytes;
        private readonly double[] _doubles = doubles;
        private readonly int _n = n;
        private readonly int _integral = integralLength;

        public Span<float> Floats(int k) => _floats.AsSpan((SharedPlanes + k) * _n, _n);

        /// <summary>Planes both dates read: luminance and flatness of each.</summary>
        public Span<float> Shared(int k) => _floats.AsSpan(k * _n, _n);

        public Span<float> Sample => _floats.AsSpan((SharedPlanes + 7) * _n, RobustStats.MaxSample);

        public Span<int> Ints(int k) => _ints.AsSpan(k * _n, _n);

        public Span<byte> Bytes(int k) => _bytes.AsSpan(k * _n, _n);

        public Span<double> Integral(int k) => _doubles.AsSpan(k * _integral, _integral);
    }
}
