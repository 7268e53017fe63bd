using System.Buffers;
using System.Numerics;

namespace ChangeWatch.Detection;

/// <summary>
/// Sub-pixel translation between two co-located planes by phase correlation: the central N × N square (N the largest
/// power of two that fits, at least 16) of each plane is mean-removed and Hann-windowed, the normalised cross-power
/// spectrum (damped where it holds almost no energy) is transformed back, its peak located, and refined by evaluating
/// the inverse DFT on a grid around the peak (±1.5 px in 0.15 px steps, then ±0.1 px in 0.01 px steps; the matrix-DFT
/// idea of Guizar-Sicairos et al. 2008). When the shift is a pixel or more and the plane leaves room, the estimate is
/// repeated with the moving window displaced by its whole-pixel part (the fixed window otherwise biases it towards 0).
/// Shifts up to N/2 are found; the unit tests recover known sub-pixel shifts up to 5 px to within 0.1 px. NaN samples
/// count as the plane mean. Applied to tile pairs by <see cref="TileCoRegistration"/>.
/// Scratch memory (about 48 bytes × N²) is rented and returned. Thread-safe.
/// </summary>
public static class PhaseCorrelation
{
    /// <summary>Damping of the spectrum normalisation, as a fraction of the strongest cross-power term.</summary>
    internal static double Damping { get; set; } = 0.01;

    /// <summary>
    /// Estimates the shift (<paramref name="width"/> × <paramref name="height"/>, row-major planes) such that
    /// <c>moving(x, y) ≈ reference(x − ShiftX, y − ShiftY)</c>, and the normalised correlation peak (0-1; near 1 for a
    /// pure translation, low when the dates differ or the content is flat).
    /// </summary>
    /// <exception cref="ArgumentException">The planes are smaller than 16 × 16 or shorter than width × height.</exception>
    public static (double ShiftX, double ShiftY, double Peak) Estimate(ReadOnlySpan<float> reference, ReadOnlySpan<float> moving, int width, int height)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Min(width, height) + 1) / 2;
        if (size < 16 || reference.Length < width * height || moving.Length < width * height)
        {
            throw new ArgumentException("Phase correlation needs two planes of at least 16 × 16 pixels.", nameof(reference));
        }

        var (sx, sy, peak) = EstimateAt(reference, moving, width, height, size, 0, 0);

        // The window is fixed to the frame, which pulls a shifted scene's estimate towards 0: look again with the
        // moving window displaced by the whole-pixel part of the shift, where it fits, and add the residual.
        var (ox, oy) = ((int)Math.Round(sx), (int)Math.Round(sy));
        if ((ox != 0 || oy != 0) && Math.Abs(ox) <= (width - size) / 2 && Math.Abs(oy) <= (height - size) / 2)
        {
            var (rx, ry, p2) = EstimateAt(reference, moving, width, height, size, ox, oy);
            return (ox + rx, oy + ry, p2);
        }

        return (sx, sy, peak);
    }

    private static (double ShiftX, double ShiftY, double Peak) EstimateAt(ReadOnlySpan<float> reference, ReadOnlySpan<float> moving, int width, int height, int size, int ox, int oy)
    {
        var n = size * size;
        var buffer = ArrayPool<Complex>.Shared.Rent(3 * n);
        try
        {
            var a = buffer.AsSpan(0, n);
            var b = buffer.AsSpan(n, n);
            var scratch = buffer.AsSpan(2 * n, size);
            var (x0, y0) = ((width - size) / 2, (height - size) / 2);
            Load(reference, width, x0, y0, size, a);
            Load(moving, width, x0 + ox, y0 + oy, size, b);
            Fft2(a, size, inverse: false, scratch);
            Fft2(b, size, inverse: false, scratch);

            // Normalised cross-power spectrum R = B · conj(A) / |B · conj(A)|; its inverse peaks at the shift.
            // Frequencies with almost no energy carry only noise in their phase: the normalisation is damped there
            // (ε = 1 % of the strongest cross-power term), or a smooth scene's peak would dissolve.
            var maxMagnitude = 0.0;
            for (var i = 0; i < n; i++)
            {
                b[i] *= Complex.Conjugate(a[i]);
                maxMagnitude = Math.Max(maxMagnitude, b[i].Magnitude);
            }

            var epsilon = Math.Max(1e-12, Damping * maxMagnitude);
            double total = 0;
            for (var i = 0; i < n; i++)
            {
                b[i] /= b[i].Magnitude + epsilon;
                total += b[i].Magnitude;
            }

            b.CopyTo(a); // keep the spectrum for the refinement
            Fft2(b, size, inverse: true, scratch);
            var best = 0;
            for (var i = 1; i < n; i++)
            {
                if (b[i].Real > b[best].Real)
                {
                    best = i;
                }
            }

            var peak = total > 0 ? b[best].Real / total : 0;
            double px = best % size, py = best / size;
            if (px > size / 2)
            {
                px -= size;
            }

            if (py > size / 2)
            {
                py -= size;
            }

            var (sx, sy) = Refine(a, size, px, py);
            return (sx, sy, Math.Clamp(peak, 0, 1));
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(buffer);
        }
    }

    private static void Load(ReadOnlySpan<float> plane, int width, int x0, int y0, int size, Span<Complex> destination)
    {
        double sum = 0;
        var count = 0;
        for (var y = 0; y < size; y++)
        {
            var row = plane.Slice((y0 + y) * width + x0, size);
            foreach (var v in row)
            {
                if (float.IsFinite(v))
                {
                    sum += v;
                    count++;
                }
            }
        }

        var mean = count > 0 ? sum / count : 0;
        Span<double> hann = size <= 1024 ? stackalloc double[size] : new double[size];
        for (var i = 0; i < size; i++)
        {
            hann[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / size);
        }

        for (var y = 0; y < size; y++)
        {
            var wy = hann[y];
            var row = plane.Slice((y0 + y) * width + x0, size);
            for (var x = 0; x < size; x++)
            {
                var v = float.IsFinite(row[x]) ? row[x] - mean : 0;
                destination[y * size + x] = new Complex(v * hann[x] * wy, 0);
            }
        }
    }

    /// <summary>Upsampled DFT of the cross-power spectrum around (px, py): two passes, 1.5 px then 0.1 px neighbourhoods, each a separable matrix DFT.</summary>
    private static (double X, double Y) Refine(ReadOnlySpan<Complex> spectrum, int size, double px, double py)
    {
        var (cx, cy) = (px, py);
        foreach (var (half, steps) in new[] { (1.5, 10), (0.1, 10) })
        {
            var k = 2 * steps + 1;
            var xs = new double[k];
            var ys = new double[k];
            for (var i = 0; i < k; i++)
            {
                xs[i] = cx + half * (i - steps) / steps;
                ys[i] = cy + half * (i - steps) / steps;
            }

            // T(v, i) = Σ_u S(v, u) e^{2πi fu x_i / N}; C(j, i) = Re Σ_v e^{2πi fv y_j / N} T(v, i).
            var t = new Complex[size * k];
            var kernel = new Complex[size * k];
            for (var u = 0; u < size; u++)
            {
                var fu = u <= size / 2 ? u : u - size;
                for (var i = 0; i < k; i++)
                {
                    kernel[u * k + i] = Complex.FromPolarCoordinates(1, 2 * Math.PI * fu * xs[i] / size);
                }
            }

            for (var v = 0; v < size; v++)
            {
                var row = spectrum.Slice(v * size, size);
                for (var i = 0; i < k; i++)
                {
                    var sum = Complex.Zero;
                    for (var u = 0; u < size; u++)
                    {
                        sum += row[u] * kernel[u * k + i];
                    }

                    t[v * k + i] = sum;
                }
            }

            var bestValue = double.NegativeInfinity;
            var (bx, by) = (cx, cy);
            for (var j = 0; j < k; j++)
            {
                var values = new double[k];
                for (var v = 0; v < size; v++)
                {
                    var fv = v <= size / 2 ? v : v - size;
                    var e = Complex.FromPolarCoordinates(1, 2 * Math.PI * fv * ys[j] / size);
                    for (var i = 0; i < k; i++)
                    {
                        values[i] += (e * t[v * k + i]).Real;
                    }
                }

                for (var i = 0; i < k; i++)
                {
                    if (values[i] > bestValue)
                    {
                        (bestValue, bx, by) = (values[i], xs[i], ys[j]);
                    }
                }
            }

            (cx, cy) = (bx, by);
        }

        return (cx, cy);
    }

    private static void Fft2(Span<Complex> data, int size, bool inverse, Span<Complex> column)
    {
        for (var y = 0; y < size; y++)
        {
            Fft(data.Slice(y * size, size), inverse);
        }

        for (var x = 0; x < size; x++)
        {
            for (var y = 0; y < size; y++)
            {
                column[y] = data[y * size + x];
            }

            Fft(column[..size], inverse);
            for (var y = 0; y < size; y++)
            {
                data[y * size + x] = column[y];
            }
        }
    }

    /// <summary>In-place iterative radix-2 FFT (unnormalised both ways).</summary>
    private static void Fft(Span<Complex> a, bool inverse)
    {
        var n = a.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            var bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1)
            {
                j ^= bit;
            }

            j ^= bit;
            if (i < j)
            {
                (a[i], a[j]) = (a[j], a[i]);
            }
        }

        for (var len = 2; len <= n; len <<= 1)
        {
            var angle = 2 * Math.PI / len * (inverse ? 1 : -1);
            var wlen = new Complex(Math.Cos(angle), Math.Sin(angle));
            for (var i = 0; i < n; i += len)
            {
                var w = Complex.One;
                for (var k = 0; k < len / 2; k++)
                {
                    var u = a[i + k];
                    var v = a[i + k + len / 2] * w;
                    a[i + k] = u + v;
                    a[i + k + len / 2] = u - v;
                    w *= wlen;
                }
            }
        }
    }
}
