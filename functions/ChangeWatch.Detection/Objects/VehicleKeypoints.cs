using System.Buffers;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// Vehicle-scale keypoints of one image, the unit the learned before count of <see cref="VehicleCountModel"/> (model.json
/// <c>beforeUnit</c> <c>keypoints</c>) decides on: local maxima (within ±<see cref="SuppressionMetres"/>) of the larger of
/// the dark and bright small-feature contrast averaged over a small box (<see cref="ResponseHalfMetres"/>), at least
/// <see cref="MinResponse"/> and <see cref="ClutterFactor"/> × the clutter level. A park's rows give one keypoint per vehicle
/// however they merge with a field's edge, a road's border or a hedgerow into one candidate blob; each keypoint carries the
/// count the candidate ensembles give the blob it lies in, so the blob's judgement and the keypoint's own evidence are
/// decided together.
/// </summary>
internal static class VehicleKeypoints
{
    /// <summary>The contrast is averaged over a box of 2k + 1 pixels a side, k = max(1, round(this / GSD)): 3 px at 1 m and 0.5 m.</summary>
    public const double ResponseHalfMetres = 0.5;

    /// <summary>A keypoint is the largest response within this many metres each way.</summary>
    public const double SuppressionMetres = 1.0;

    /// <summary>Least response of a keypoint (units where the tile's mean brightness is 120).</summary>
    public const float MinResponse = 15f;

    /// <summary>A keypoint's response is at least this many times the local clutter level.</summary>
    public const float ClutterFactor = 1.5f;

    /// <summary>The keypoint features, in order.</summary>
    public static readonly string[] FeatureNames =
    [
        "response", "dark", "bright", "clutter", "response_over_clutter", "dark_3m", "bright_3m", "contrast_6m",
        "keypoints_5m", "keypoints_15m", "excess_green", "brightness", "minus_6m_red", "minus_6m_green", "minus_6m_blue",
        "blob_area_m2", "blob_green_share", "blob_count", "gsd", "candidate_share_6m", "response_over_3m",
    ];

    /// <summary>Number of keypoint features.</summary>
    public static int FeatureCount => FeatureNames.Length;

    /// <summary>One keypoint: its pixel and features (<see cref="FeatureNames"/>).</summary>
    public readonly record struct Keypoint(int X, int Y, float[] Features);

    /// <summary>
    /// The keypoints of <paramref name="image"/> (R, G, B first; NaN = no data) at <paramref name="groundSampleDistance"/>,
    /// with <paramref name="blobCount"/> giving each candidate blob's count by the candidate ensembles. When
    /// <paramref name="smallFeatureContrast"/> holds a value per pixel, the larger of the dark and bright contrast is written to it.
    /// </summary>
    public static List<Keypoint> Find(TileRaster image, double groundSampleDistance, Func<float[], float> blobCount, Span<float> smallFeatureContrast = default)
    {
        var labels = ArrayPool<int>.Shared.Rent(image.Width * image.Height);
        try
        {
            return Find(image, groundSampleDistance, blobCount, labels.AsSpan(0, image.Width * image.Height), smallFeatureContrast, out _);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(labels);
        }
    }

    /// <summary>
    /// As <see cref="Find(TileRaster, double, Func{float[], float}, Span{float})"/>, with each pixel's candidate blob
    /// (index + 1, 0 for none) written to <paramref name="labels"/> (one int per pixel) and each blob's count by
    /// <paramref name="blobCount"/> given back in <paramref name="blobCounts"/> (by index).
    /// </summary>
    public static List<Keypoint> Find(TileRaster image, double groundSampleDistance, Func<float[], float> blobCount, Span<int> labels, Span<float> smallFeatureContrast, out float[] blobCounts)
    {
        var (w, h) = (image.Width, image.Height);
        var n = w * h;
        if (labels.Length != n)
        {
            throw new ArgumentException("The label plane needs one int per pixel.", nameof(labels));
        }

        var g = groundSampleDistance;
        var floats = ArrayPool<float>.Shared.Rent(5 * n);
        var integral = ArrayPool<double>.Shared.Rent(BoxFilter.IntegralLength(w, h));
        try
        {
            var dark = floats.AsSpan(0, n);
            var bright = floats.AsSpan(n, n);
            var clutter = floats.AsSpan(2 * n, n);
            var response = floats.AsSpan(3 * n, n);
            var plane = floats.AsSpan(4 * n, n);
            var table = integral.AsSpan(0, BoxFilter.IntegralLength(w, h));
            var candidates = ObjectCounter.Candidates(image, g, new PixelWindow(0, 0, w, h), labels, smallFeatureContrast, new ObjectCounter.CandidatePlanes(dark, bright, clutter));
            var k1 = Math.Max(1, (int)Math.Round(ResponseHalfMetres / g));
            var k3 = Math.Max(1, (int)Math.Round(1.5 / g));
            var k6 = Math.Max(2, (int)Math.Round(3 / g));

            // The response: the larger of the dark and bright contrast, box-averaged. Its table serves the features below too.
            for (var p = 0; p < n; p++)
            {
                plane[p] = Math.Max(dark[p], bright[p]);
            }

            BoxFilter.Integrate(plane, w, h, table);
            BoxFilter.Mean(table, w, h, k1, response);

            var suppress = Math.Max(1, (int)Math.Round(SuppressionMetres / g));
            var points = new List<(int X, int Y)>();
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var p = y * w + x;
                    var value = response[p];
                    if (value < MinResponse || value < ClutterFactor * clutter[p])
                    {
                        continue;
                    }

                    var largest = true;
                    for (var dy = -suppress; dy <= suppress && largest; dy++)
                    {
                        var qy = y + dy;
                        if (qy < 0 || qy >= h)
                        {
                            continue;
                        }

                        for (var dx = -suppress; dx <= suppress && largest; dx++)
                        {
                            var qx = x + dx;
                            if (qx < 0 || qx >= w || (dx == 0 && dy == 0))
                            {
                                continue;
                            }

                            var q = qy * w + qx;
                            largest = response[q] < value || (response[q] == value && q > p);
                        }
                    }

                    if (largest)
                    {
                        points.Add((x, y));
                    }
                }
            }

            var counts = new float[candidates.Count];
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] = blobCount(candidates[i].Features);
            }

            blobCounts = counts;

            var (r5, r15) = (5 / g, 15 / g);
            var result = new List<Keypoint>(points.Count);
            foreach (var (x, y) in points)
            {
                var p = y * w + x;
                int near5 = 0, near15 = 0;
                foreach (var (ox, oy) in points)
                {
                    if (Math.Abs(ox - x) > r15 || Math.Abs(oy - y) > r15)
                    {
                        continue;
                    }

                    var d2 = (ox - x) * (ox - x) + (oy - y) * (oy - y);
                    near5 += d2 > 0 && d2 <= r5 * r5 ? 1 : 0;
                    near15 += d2 > 0 && d2 <= r15 * r15 ? 1 : 0;
                }

                var blob = labels[p] - 1;
                var f = new float[FeatureNames.Length];
                f[0] = response[p];
                f[1] = dark[p];
                f[2] = bright[p];
                f[3] = clutter[p];
                f[4] = response[p] / Math.Max(1, clutter[p]);
                f[7] = Mean(table, w, h, x, y, k6);
                f[8] = near5;
                f[9] = near15;
                f[15] = blob >= 0 ? candidates[blob].Features[0] : 0;
                f[16] = blob >= 0 ? candidates[blob].Features[20] : -1;
                f[17] = blob >= 0 ? counts[blob] : -1;
                f[18] = (float)g;
                f[20] = response[p] - Mean(table, w, h, x, y, k3);
                result.Add(new Keypoint(x, y, f));
            }

            // The other planes' box means at the keypoints, one summed-area table at a time: dark and bright contrast,
            // candidate pixels, excess green, brightness, and R, G, B against their wider surroundings (scaled).
            BoxMeans(dark, w, h, table, result, 5, k3);
            BoxMeans(bright, w, h, table, result, 6, k3);
            for (var p = 0; p < n; p++)
            {
                plane[p] = labels[p] > 0 ? 1 : 0;
            }

            BoxMeans(plane, w, h, table, result, 19, k6);
            var data = image.Data;
            var scale = ObjectCounter.BrightnessScale(image);
            for (var band = -2; band < 3; band++)
            {
                for (var p = 0; p < n; p++)
                {
                    var (r, gr, bb) = (Finite(data[p]), Finite(data[n + p]), Finite(data[2 * n + p]));
                    plane[p] = band switch
                    {
                        -2 => (gr - (r + bb) / 2) * scale,
                        -1 => (r + gr + bb) / 3 * scale,
                        0 => r * scale,
                        1 => gr * scale,
                        _ => bb * scale,
                    };
                }

                if (band < 0)
                {
                    BoxMeans(plane, w, h, table, result, band == -2 ? 10 : 11, k1);
                }
                else
                {
                    BoxMeans(plane, w, h, table, result, 12 + band, k1, k6);
                }
            }

            return result;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(integral);
            ArrayPool<float>.Shared.Return(floats);
        }
    }

    private static float Finite(float v) => float.IsFinite(v) ? v : 0f;

    /// <summary>The (2r + 1)² box mean at (x, y) from <paramref name="table"/> (<see cref="BoxFilter"/>), before its rounding to float, rounded once.</summary>
    private static float Mean(ReadOnlySpan<double> table, int w, int h, int x, int y, int r) => (float)BoxFilter.UnroundedMeanAt(table, w, h, r, x, y);

    /// <summary>
    /// Sets feature <paramref name="feature"/> of every keypoint to <paramref name="plane"/>'s box mean of radius
    /// <paramref name="r"/> there, less the box mean of radius <paramref name="wider"/> when one is given (one rounding
    /// to float, of the difference). Builds <paramref name="plane"/>'s summed-area table in <paramref name="table"/>.
    /// </summary>
    private static void BoxMeans(ReadOnlySpan<float> plane, int w, int h, Span<double> table, List<Keypoint> keypoints, int feature, int r, int wider = -1)
    {
        BoxFilter.Integrate(plane, w, h, table);
        foreach (var k in keypoints)
        {
            var mean = BoxFilter.UnroundedMeanAt(table, w, h, r, k.X, k.Y);
            k.Features[feature] = (float)(wider < 0 ? mean : mean - BoxFilter.UnroundedMeanAt(table, w, h, wider, k.X, k.Y));
        }
    }
}
