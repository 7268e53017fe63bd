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
        var floats = ArrayPool<float>.Shared.Rent(4 * n);
        var sums = ArrayPool<double>.Shared.Rent(9 * (w + 1) * (h + 1));
        try
        {
            var dark = floats.AsSpan(0, n);
            var bright = floats.AsSpan(n, n);
            var clutter = floats.AsSpan(2 * n, n);
            var response = floats.AsSpan(3 * n, n);
            var candidates = ObjectCounter.Candidates(image, g, new PixelWindow(0, 0, w, h), labels, smallFeatureContrast, new ObjectCounter.CandidatePlanes(dark, bright, clutter));
            var scale = ObjectCounter.BrightnessScale(image);
            var plane = (w + 1) * (h + 1);

            // Integral images: contrast, dark, bright, candidate pixels, excess green, brightness, R, G, B (scaled).
            var contrastSum = sums.AsSpan(0, plane);
            var darkSum = sums.AsSpan(plane, plane);
            var brightSum = sums.AsSpan(2 * plane, plane);
            var candidateSum = sums.AsSpan(3 * plane, plane);
            var greenSum = sums.AsSpan(4 * plane, plane);
            var brightnessSum = sums.AsSpan(5 * plane, plane);
            var redSum = sums.AsSpan(6 * plane, plane);
            var greenBandSum = sums.AsSpan(7 * plane, plane);
            var blueSum = sums.AsSpan(8 * plane, plane);
            var data = image.Data;
            for (var b = 0; b < 9; b++)
            {
                sums.AsSpan(b * plane, w + 1).Clear();
            }

            for (var y = 0; y < h; y++)
            {
                double c = 0, d = 0, br = 0, k = 0, ex = 0, bs = 0, rs = 0, gs = 0, bl = 0;
                var row = (y + 1) * (w + 1);
                var above = y * (w + 1);
                for (var b = 0; b < 9; b++)
                {
                    sums[b * plane + row] = 0;
                }

                for (var x = 0; x < w; x++)
                {
                    var p = y * w + x;
                    var (r, gr, bb) = (Finite(data[p]), Finite(data[n + p]), Finite(data[2 * n + p]));
                    c += Math.Max(dark[p], bright[p]);
                    d += dark[p];
                    br += bright[p];
                    k += labels[p] > 0 ? 1 : 0;
                    ex += (gr - (r + bb) / 2) * scale;
                    bs += (r + gr + bb) / 3 * scale;
                    (rs, gs, bl) = (rs + r * scale, gs + gr * scale, bl + bb * scale);
                    var i = row + x + 1;
                    var j = above + x + 1;
                    contrastSum[i] = contrastSum[j] + c;
                    darkSum[i] = darkSum[j] + d;
                    brightSum[i] = brightSum[j] + br;
                    candidateSum[i] = candidateSum[j] + k;
                    greenSum[i] = greenSum[j] + ex;
                    brightnessSum[i] = brightnessSum[j] + bs;
                    redSum[i] = redSum[j] + rs;
                    greenBandSum[i] = greenBandSum[j] + gs;
                    blueSum[i] = blueSum[j] + bl;
                }
            }

            var k1 = Math.Max(1, (int)Math.Round(ResponseHalfMetres / g));
            var k3 = Math.Max(1, (int)Math.Round(1.5 / g));
            var k6 = Math.Max(2, (int)Math.Round(3 / g));
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    response[y * w + x] = (float)Box(contrastSum, w, h, x, y, k1);
                }
            }

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
                f[5] = (float)Box(darkSum, w, h, x, y, k3);
                f[6] = (float)Box(brightSum, w, h, x, y, k3);
                f[7] = (float)Box(contrastSum, w, h, x, y, k6);
                f[8] = near5;
                f[9] = near15;
                f[10] = (float)Box(greenSum, w, h, x, y, k1);
                f[11] = (float)Box(brightnessSum, w, h, x, y, k1);
                f[12] = (float)(Box(redSum, w, h, x, y, k1) - Box(redSum, w, h, x, y, k6));
                f[13] = (float)(Box(greenBandSum, w, h, x, y, k1) - Box(greenBandSum, w, h, x, y, k6));
                f[14] = (float)(Box(blueSum, w, h, x, y, k1) - Box(blueSum, w, h, x, y, k6));
                f[15] = blob >= 0 ? candidates[blob].Features[0] : 0;
                f[16] = blob >= 0 ? candidates[blob].Features[20] : -1;
                f[17] = blob >= 0 ? counts[blob] : -1;
                f[18] = (float)g;
                f[19] = (float)Box(candidateSum, w, h, x, y, k6);
                f[20] = response[p] - (float)Box(contrastSum, w, h, x, y, k3);
                result.Add(new Keypoint(x, y, f));
            }

            return result;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
            ArrayPool<float>.Shared.Return(floats);
        }
    }

    private static float Finite(float v) => float.IsFinite(v) ? v : 0f;

    /// <summary>Mean over the (2r + 1)² box at (x, y), clipped to the image, from an integral image of (w + 1) × (h + 1).</summary>
    private static double Box(ReadOnlySpan<double> sum, int w, int h, int x, int y, int r)
    {
        var (x0, y0, x1, y1) = (Math.Max(0, x - r), Math.Max(0, y - r), Math.Min(w, x + r + 1), Math.Min(h, y + r + 1));
        var stride = w + 1;
        return (sum[y1 * stride + x1] - sum[y0 * stride + x1] - sum[y1 * stride + x0] + sum[y0 * stride + x0]) / ((x1 - x0) * (y1 - y0));
    }
}
