using System.Buffers;
using System.Numerics;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// Resamples a raster by a constant sub-pixel translation with cubic convolution (Keys, a = −0.5; separable, four taps
/// per axis, the same weights for every pixel since the shift is constant). Output pixel (x, y) takes the source at
/// (x + dx, y + dy); where that position lies outside the source (more than 0.001 px beyond its first or last column or
/// row) the output is NaN (no data), never extrapolated. Taps beyond the border repeat the edge sample; a NaN tap makes
/// the output NaN, so no-data spreads by at most two pixels. Scratch memory (one plane) is rented and returned.
/// </summary>
public static class SubPixelShift
{
    private const double Tolerance = 1e-3;

    /// <summary>
    /// Returns a new raster (same size, bands and georeference as <paramref name="source"/>) whose pixel (x, y) is the
    /// source sampled at (x + <paramref name="dx"/>, y + <paramref name="dy"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A shift is not finite.</exception>
    public static TileRaster Apply(TileRaster source, double dx, double dy)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!double.IsFinite(dx) || !double.IsFinite(dy))
        {
            throw new ArgumentOutOfRangeException(nameof(dx), "The shift must be finite.");
        }

        var w = source.Width;
        var h = source.Height;
        var result = new TileRaster(w, h, source.BandCount, new float[source.Data.Length], source.GeoReference);
        var (ix, wx) = Taps(dx);
        var (iy, wy) = Taps(dy);
        var (x0, x1) = ValidRange(dx, w);
        var (y0, y1) = ValidRange(dy, h);
        var temp = ArrayPool<float>.Shared.Rent(w * h);
        var lanes = Vector<float>.Count;
        var (w0x, w1x, w2x, w3x) = (new Vector<float>(wx.W0), new Vector<float>(wx.W1), new Vector<float>(wx.W2), new Vector<float>(wx.W3));
        var (w0y, w1y, w2y, w3y) = (new Vector<float>(wy.W0), new Vector<float>(wy.W1), new Vector<float>(wy.W2), new Vector<float>(wy.W3));
        try
        {
            for (var b = 0; b < source.BandCount; b++)
            {
                var src = source.Band(b);
                var tmp = temp.AsSpan(0, w * h);
                for (var y = 0; y < h; y++)
                {
                    var row = src.Slice(y * w, w);
                    var dst = tmp.Slice(y * w, w);

                    // Columns whose four taps lie inside the row: a vector at a time, the same products and sums in the same order.
                    var (inner0, inner1) = (Math.Max(0, 1 - ix), Math.Min(w, w - 2 - ix));
                    var x = 0;
                    for (; x < Math.Min(inner0, w); x++)
                    {
                        dst[x] = HorizontalAt(row, x + ix, w, wx);
                    }

                    for (; x + lanes <= inner1; x += lanes)
                    {
                        var c = x + ix;
                        var v = w0x * new Vector<float>(row.Slice(c - 1, lanes)) + w1x * new Vector<float>(row.Slice(c, lanes))
                            + w2x * new Vector<float>(row.Slice(c + 1, lanes)) + w3x * new Vector<float>(row.Slice(c + 2, lanes));
                        v.CopyTo(dst.Slice(x, lanes));
                    }

                    for (; x < w; x++)
                    {
                        dst[x] = HorizontalAt(row, x + ix, w, wx);
                    }
                }

                var output = result.Band(b);
                output.Fill(float.NaN);
                for (var y = y0; y <= y1; y++)
                {
                    var r = y + iy;
                    var r0 = tmp.Slice(Clamp(r - 1, h) * w, w);
                    var r1 = tmp.Slice(Clamp(r, h) * w, w);
                    var r2 = tmp.Slice(Clamp(r + 1, h) * w, w);
                    var r3 = tmp.Slice(Clamp(r + 2, h) * w, w);
                    var dst = output.Slice(y * w, w);
                    var x = x0;
                    for (; x + lanes <= x1 + 1; x += lanes)
                    {
                        var v = w0y * new Vector<float>(r0.Slice(x, lanes)) + w1y * new Vector<float>(r1.Slice(x, lanes))
                            + w2y * new Vector<float>(r2.Slice(x, lanes)) + w3y * new Vector<float>(r3.Slice(x, lanes));
                        v.CopyTo(dst.Slice(x, lanes));
                    }

                    for (; x <= x1; x++)
                    {
                        dst[x] = wy.W0 * r0[x] + wy.W1 * r1[x] + wy.W2 * r2[x] + wy.W3 * r3[x];
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(temp);
        }

        return result;
    }

    private static int Clamp(int i, int n) => i < 0 ? 0 : i >= n ? n - 1 : i;

    /// <summary>The horizontal cubic tap sum centred on column <paramref name="c"/>, taps beyond the row repeating its edge.</summary>
    private static float HorizontalAt(ReadOnlySpan<float> row, int c, int w, (float W0, float W1, float W2, float W3) wx) =>
        wx.W0 * row[Clamp(c - 1, w)] + wx.W1 * row[Clamp(c, w)] + wx.W2 * row[Clamp(c + 1, w)] + wx.W3 * row[Clamp(c + 2, w)];

    /// <summary>Output indices whose source position i + shift lies inside [0, n − 1] (within the tolerance).</summary>
    private static (int First, int Last) ValidRange(double shift, int n)
    {
        var first = (int)Math.Ceiling(-shift - Tolerance);
        var last = (int)Math.Floor(n - 1 - shift + Tolerance);
        return (Math.Max(0, first), Math.Min(n - 1, last));
    }

    /// <summary>The integer part of the shift and the four cubic-convolution weights for samples at floor − 1 … floor + 2.</summary>
    private static (int Floor, (float W0, float W1, float W2, float W3) Weights) Taps(double shift)
    {
        var floor = (int)Math.Floor(shift);
        var t = shift - floor;
        if (t < Tolerance)
        {
            return (floor, (0f, 1f, 0f, 0f));
        }

        if (t > 1 - Tolerance)
        {
            return (floor + 1, (0f, 1f, 0f, 0f));
        }

        return (floor, ((float)Keys(1 + t), (float)Keys(t), (float)Keys(1 - t), (float)Keys(2 - t)));
    }

    private static double Keys(double d)
    {
        const double a = -0.5;
        d = Math.Abs(d);
        return d <= 1
            ? (a + 2) * d * d * d - (a + 3) * d * d + 1
            : d < 2 ? a * d * d * d - 5 * a * d * d + 8 * a * d - 4 * a : 0;
    }
}
