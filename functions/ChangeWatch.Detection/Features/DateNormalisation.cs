using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// The preparation every feature extractor shares: which pixels hold data in both dates, and each band of each date
/// turned into robust z units (median and IQR of its valid pixels, or of its whole scene when the scene's statistics are
/// given), so units and a gain or offset between dates drop out.
/// </summary>
internal static class DateNormalisation
{
    /// <summary>
    /// The scene statistics of band <paramref name="band"/> of one date, or null when there are none or they do not
    /// describe a raster of <paramref name="bandCount"/> bands (then the raster is normalised on its own).
    /// </summary>
    public static BandStatistics? SceneBand(SceneStatistics? statistics, int bandCount, int band) =>
        statistics is { } s && s.Bands.Count == bandCount && band < bandCount ? s.Bands[band] : null;

    /// <summary>
    /// Sets <paramref name="valid"/>[i] to 1 where every band of both dates is finite, 0 elsewhere (the first
    /// width × height entries), and returns the number of valid pixels.
    /// </summary>
    public static int MarkValid(TileRaster before, TileRaster after, Span<byte> valid)
    {
        var n = before.Width * before.Height;
        valid[..n].Fill(1);
        var lanes = Vector<float>.Count;
        var infinity = new Vector<float>(float.PositiveInfinity);
        for (var b = 0; b < before.BandCount; b++)
        {
            var pb = before.Band(b);
            var pa = after.Band(b);
            var i = 0;

            // A vector of pixels at a time where every value of both dates is finite (|v| < ∞ is false for NaN and ±∞);
            // a vector holding any other is done pixel by pixel.
            for (; i + lanes <= n; i += lanes)
            {
                if (!Vector.LessThanAll(Vector.Abs(new Vector<float>(pb.Slice(i, lanes))), infinity)
                    || !Vector.LessThanAll(Vector.Abs(new Vector<float>(pa.Slice(i, lanes))), infinity))
                {
                    MarkInvalid(pb, pa, valid, i, i + lanes);
                }
            }

            MarkInvalid(pb, pa, valid, i, n);
        }

        return n - valid[..n].Count((byte)0);

        static void MarkInvalid(ReadOnlySpan<float> pb, ReadOnlySpan<float> pa, Span<byte> valid, int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                if (!float.IsFinite(pb[i]) || !float.IsFinite(pa[i]))
                {
                    valid[i] = 0;
                }
            }
        }
    }

    /// <summary>
    /// Sets <paramref name="covered"/>[i] to 1 where at least one date has data in every band (an image covers the
    /// ground there), 0 where neither has (the window's part past both scenes' edges, or no data in both), and returns
    /// the number of covered pixels.
    /// </summary>
    public static int MarkCovered(TileRaster before, TileRaster after, Span<byte> covered)
    {
        var n = before.Width * before.Height;

        // Each date's own "every band finite" (MarkValid of the date with itself, vectorised), then either.
        var hasBefore = covered[..n];
        if (MarkValid(before, before, hasBefore) == n)
        {
            return n; // the before date covers the whole window (every tile inside the scene)
        }

        var scratch = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            var hasAfter = scratch.AsSpan(0, n);
            MarkValid(after, after, hasAfter);
            var lanes = Vector<byte>.Count;
            var i = 0;
            for (; i + lanes <= n; i += lanes)
            {
                (new Vector<byte>(hasBefore.Slice(i, lanes)) | new Vector<byte>(hasAfter.Slice(i, lanes))).CopyTo(hasBefore.Slice(i, lanes));
            }

            for (; i < n; i++)
            {
                hasBefore[i] |= hasAfter[i];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        return n - hasBefore.Count((byte)0);
    }

    /// <summary>The number of the pair's pixels covered by at least one date (<see cref="MarkCovered"/>).</summary>
    public static int CountCovered(TileRaster before, TileRaster after) => Count(before, after, MarkCovered);

    /// <summary>The fraction of the pair's pixels that lack data in some band of either date (<see cref="MarkValid"/>), 0-1.</summary>
    public static double MaskedFraction(TileRaster before, TileRaster after) =>
        1.0 - ((double)CountValid(before, after) / (before.Width * before.Height));

    /// <summary>The number of the pair's pixels with data in every band of both dates (<see cref="MarkValid"/>).</summary>
    public static int CountValid(TileRaster before, TileRaster after) => Count(before, after, MarkValid);

    // What a marker (MarkValid, MarkCovered) counts, with its marks in a pooled buffer.
    private static int Count(TileRaster before, TileRaster after, Marker mark)
    {
        var n = before.Width * before.Height;
        var marks = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            return mark(before, after, marks.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(marks);
        }
    }

    private delegate int Marker(TileRaster before, TileRaster after, Span<byte> marks);

    /// <summary>
    /// Writes <paramref name="band"/> in robust z units into <paramref name="z"/>: (value − median) / (IQR / 1.349), the
    /// scale floored at 1 % of the median; invalid pixels become 0. <paramref name="sample"/> is scratch for the quantiles.
    /// </summary>
    public static void Normalise(ReadOnlySpan<float> band, ReadOnlySpan<byte> valid, int validCount, Span<float> z, Span<float> sample) =>
        Normalise(band, valid, validCount, z, sample, null);

    /// <summary>
    /// As <see cref="Normalise(ReadOnlySpan{float}, ReadOnlySpan{byte}, int, Span{float}, Span{float})"/>, but with the
    /// median and IQR of <paramref name="scene"/> (the whole scene's band) when given, instead of the raster's own.
    /// </summary>
    public static void Normalise(ReadOnlySpan<float> band, ReadOnlySpan<byte> valid, int validCount, Span<float> z, Span<float> sample, BandStatistics? scene)
    {
        float median, iqr;
        if (scene is not null)
        {
            (median, iqr) = ((float)scene.Median, (float)scene.InterquartileRange);
        }
        else
        {
            var len = RobustStats.SortedSample(band, valid, validCount, sample);
            var s = sample[..len];
            median = RobustStats.Quantile(s, 0.5);
            iqr = RobustStats.Quantile(s, 0.75) - RobustStats.Quantile(s, 0.25);
        }

        Scale(band, valid, median, iqr, z);
    }

    /// <summary>
    /// As <see cref="Normalise(ReadOnlySpan{float}, ReadOnlySpan{byte}, int, Span{float}, Span{float})"/>, the band's own
    /// median and IQR taken from the sample at <paramref name="positions"/> (<see cref="RobustStats.SamplePositions"/> of
    /// <paramref name="valid"/>): the same values, without scanning the mask again.
    /// </summary>
    public static void Normalise(ReadOnlySpan<float> band, ReadOnlySpan<byte> valid, ReadOnlySpan<int> positions, Span<float> z, Span<float> sample)
    {
        var len = RobustStats.SortedSample(band, positions, sample);
        var s = sample[..len];
        var median = RobustStats.Quantile(s, 0.5);
        var iqr = RobustStats.Quantile(s, 0.75) - RobustStats.Quantile(s, 0.25);
        Scale(band, valid, median, iqr, z);
    }

    /// <summary>
    /// The median and the reciprocal of the scale a band of <paramref name="scene"/>'s statistics is normalised with (z =
    /// (value − median) × inverse scale), exactly as <see cref="Normalise(ReadOnlySpan{float}, ReadOnlySpan{byte}, int, Span{float}, Span{float}, BandStatistics?)"/> applies them.
    /// </summary>
    public static (float Median, float InverseScale) SceneScale(BandStatistics scene) =>
        ((float)scene.Median, InverseScale((float)scene.Median, (float)scene.InterquartileRange));

    private static float InverseScale(float median, float iqr) => 1f / Math.Max(iqr / 1.349f, Math.Max(1e-6f, 0.01f * Math.Abs(median)));

    private static void Scale(ReadOnlySpan<float> band, ReadOnlySpan<byte> valid, float median, float iqr, Span<float> z)
    {
        var inv = InverseScale(median, iqr);
        var i = 0;
        if (Vector<float>.Count == sizeof(ulong))
        {
            // Eight pixels at a time where all eight are valid (no zero byte among their eight mask bytes): the same
            // subtraction and product per pixel as below.
            var (vectorMedian, vectorInv) = (new Vector<float>(median), new Vector<float>(inv));
            var masks = MemoryMarshal.Cast<byte, ulong>(valid[..z.Length]);
            for (; i + sizeof(ulong) <= z.Length; i += sizeof(ulong))
            {
                var m = masks[i / sizeof(ulong)];
                if (((m - 0x0101010101010101UL) & ~m & 0x8080808080808080UL) == 0)
                {
                    ((new Vector<float>(band.Slice(i, sizeof(ulong))) - vectorMedian) * vectorInv).CopyTo(z.Slice(i, sizeof(ulong)));
                }
                else
                {
                    ScaleAt(band, valid, median, inv, z, i, i + sizeof(ulong));
                }
            }
        }

        ScaleAt(band, valid, median, inv, z, i, z.Length);

        static void ScaleAt(ReadOnlySpan<float> band, ReadOnlySpan<byte> valid, float median, float inv, Span<float> z, int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                z[i] = valid[i] != 0 ? (band[i] - median) * inv : 0f;
            }
        }
    }
}
