using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace ChangeWatch.Detection;

/// <summary>
/// The work behind <see cref="PhaseCorrelation.Estimate"/>, for one plane size, with its scratch memory rented once
/// (about 48 bytes × N², N the correlation window) and returned on <see cref="Dispose"/>. The reference window's spectrum
/// is kept, so a later estimate against the same reference (<see cref="EstimateAgain"/>, e.g. the residual after a shift
/// was applied) transforms only the moving plane. The first estimate transforms both windows in one complex FFT (the
/// reference as the real part, the moving plane as the imaginary part, separated by their Hermitian symmetry). Not
/// thread-safe: one instance per thread.
/// </summary>
internal sealed class PhaseCorrelator : IDisposable
{
    private const int Steps = 10;
    private const int GridPoints = 2 * Steps + 1;

    private static readonly int Lanes = Vector<double>.Count;
    private static readonly int PaddedGrid = (GridPoints + Lanes - 1) / Lanes * Lanes;

    private readonly int _width;
    private readonly int _height;
    private readonly int _size;
    private readonly int _x0;
    private readonly int _y0;
    private readonly SquareFft _fft;
    private readonly double[] _buffer;
    private bool _hasReference;

    /// <summary>A correlator for planes of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    /// <exception cref="ArgumentException">The planes are smaller than 16 × 16.</exception>
    public PhaseCorrelator(int width, int height)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Min(width, height) + 1) / 2;
        if (size < 16 || width <= 0 || height <= 0)
        {
            throw new ArgumentException("Phase correlation needs two planes of at least 16 × 16 pixels.", nameof(width));
        }

        (_width, _height, _size) = (width, height, Math.Min(size, 1024));
        (_x0, _y0) = ((width - _size) / 2, (height - _size) / 2);
        _fft = SquareFft.ForSize(_size);
        var n = _size * _size;
        _buffer = ArrayPool<double>.Shared.Rent(6 * n + _size + 6 * _size * PaddedGrid);
        var hann = Hann;
        for (var i = 0; i < _size; i++)
        {
            hann[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / _size);
        }
    }

    private int N2 => _size * _size;

    private Span<double> ReferenceRe => _buffer.AsSpan(0, N2);

    private Span<double> ReferenceIm => _buffer.AsSpan(N2, N2);

    private Span<double> WorkRe => _buffer.AsSpan(2 * N2, N2);

    private Span<double> WorkIm => _buffer.AsSpan(3 * N2, N2);

    private Span<double> SpectrumRe => _buffer.AsSpan(4 * N2, N2);

    private Span<double> SpectrumIm => _buffer.AsSpan(5 * N2, N2);

    private Span<double> Hann => _buffer.AsSpan(6 * N2, _size);

    private Span<double> Kernels => _buffer.AsSpan(6 * N2 + _size, 6 * _size * PaddedGrid);

    /// <summary>The shift of <paramref name="moving"/> against <paramref name="reference"/>, as <see cref="PhaseCorrelation.Estimate"/> documents; keeps the reference's spectrum.</summary>
    /// <exception cref="ArgumentException">A plane is shorter than width × height.</exception>
    public (double ShiftX, double ShiftY, double Peak) Estimate(ReadOnlySpan<float> reference, ReadOnlySpan<float> moving)
    {
        if (reference.Length < _width * _height || moving.Length < _width * _height)
        {
            throw new ArgumentException("Phase correlation needs two planes of width × height pixels.", nameof(reference));
        }

        Load(reference, _x0, _y0, WorkRe);
        Load(moving, _x0, _y0, WorkIm);
        _fft.Transform(WorkRe, WorkIm, inverse: false);
        SeparateSpectra();
        _hasReference = true;
        return EstimateFromWindow(moving);
    }

    /// <summary>The shift of <paramref name="moving"/> against the reference of the last <see cref="Estimate"/> call.</summary>
    /// <exception cref="InvalidOperationException">No reference has been given yet.</exception>
    /// <exception cref="ArgumentException">The plane is shorter than width × height.</exception>
    public (double ShiftX, double ShiftY, double Peak) EstimateAgain(ReadOnlySpan<float> moving)
    {
        if (!_hasReference)
        {
            throw new InvalidOperationException("EstimateAgain needs a reference from an earlier Estimate.");
        }

        if (moving.Length < _width * _height)
        {
            throw new ArgumentException("The moving plane must hold width × height pixels.", nameof(moving));
        }

        TransformMoving(moving, 0, 0);
        return EstimateFromWindow(moving);
    }

    /// <inheritdoc />
    public void Dispose() => ArrayPool<double>.Shared.Return(_buffer);

    /// <summary>
    /// The estimate once the moving window's spectrum (undisplaced) is in the work planes: correlate, refine; when the
    /// shift is a pixel or more and the plane leaves room, look again with the moving window displaced by its whole-pixel
    /// part (the fixed window otherwise biases the estimate towards 0) and add the residual.
    /// </summary>
    private (double ShiftX, double ShiftY, double Peak) EstimateFromWindow(ReadOnlySpan<float> moving)
    {
        var (px, py, peak) = Correlate();
        var (cx, cy) = RefinePass(1.5, px, py);

        // The second look discards this estimate except for its whole-pixel part: when the fine pass (within ±0.1 px)
        // cannot change the rounding, it is skipped (the result is the same as with it).
        if (!SameRounding(cx) || !SameRounding(cy) || !NeedsSecondLook(Math.Round(cx), Math.Round(cy)))
        {
            (cx, cy) = RefinePass(0.1, cx, cy);
        }

        var (ox, oy) = ((int)Math.Round(cx), (int)Math.Round(cy));
        if (!NeedsSecondLook(ox, oy))
        {
            return (cx, cy, Math.Clamp(peak, 0, 1));
        }

        TransformMoving(moving, ox, oy);
        var (qx, qy, p2) = Correlate();
        var (rx, ry) = RefinePass(1.5, qx, qy);
        (rx, ry) = RefinePass(0.1, rx, ry);
        return (ox + rx, oy + ry, Math.Clamp(p2, 0, 1));

        static bool SameRounding(double c) => Math.Round(GridValue(c, 0.1, 0)) == Math.Round(GridValue(c, 0.1, GridPoints - 1));
    }

    private bool NeedsSecondLook(double ox, double oy) =>
        (ox != 0 || oy != 0) && Math.Abs(ox) <= (_width - _size) / 2 && Math.Abs(oy) <= (_height - _size) / 2;

    private void TransformMoving(ReadOnlySpan<float> moving, int ox, int oy)
    {
        Load(moving, _x0 + ox, _y0 + oy, WorkRe);
        WorkIm.Clear();
        _fft.Transform(WorkRe, WorkIm, inverse: false);
    }

    /// <summary>
    /// Splits the transform of (reference + i·moving) in the work planes into the reference's spectrum (kept) and the
    /// moving window's (left in the work planes): A(k) = (Z(k) + conj Z(−k)) / 2, B(k) = (Z(k) − conj Z(−k)) / 2i.
    /// </summary>
    private void SeparateSpectra()
    {
        var size = _size;
        Span<double> zr = WorkRe, zi = WorkIm, ar = ReferenceRe, ai = ReferenceIm;
        for (var p = 0; p < size; p++)
        {
            var mp = (size - p) & (size - 1);
            for (var q = 0; q < size; q++)
            {
                var (k, m) = (p * size + q, mp * size + ((size - q) & (size - 1)));
                ar[k] = 0.5 * (zr[k] + zr[m]);
                ai[k] = 0.5 * (zi[k] - zi[m]);
            }
        }

        for (var p = 0; p < size; p++)
        {
            var mp = (size - p) & (size - 1);
            for (var q = 0; q < size; q++)
            {
                var (k, m) = (p * size + q, mp * size + ((size - q) & (size - 1)));
                if (m < k)
                {
                    continue;
                }

                var (kr, ki, mr, mi) = (zr[k], zi[k], zr[m], zi[m]);
                (zr[k], zi[k]) = (0.5 * (ki + mi), 0.5 * (mr - kr));
                (zr[m], zi[m]) = (0.5 * (mi + ki), 0.5 * (kr - mr));
            }
        }
    }

    /// <summary>
    /// Normalised cross-power spectrum R = B · conj(A) / (|B · conj(A)| + ε), kept for the refinement, and its inverse
    /// transform's peak (whole pixels, signed) and height as a fraction of Σ|R|.
    /// </summary>
    private (int X, int Y, double Peak) Correlate()
    {
        var n = N2;
        Span<double> ar = ReferenceRe, ai = ReferenceIm, br = WorkRe, bi = WorkIm;

        // A vector of frequencies at a time (N² is a multiple of the lane count): the same IEEE operations per element
        // as one at a time (square root and division are exact in vectors too); the maximum does not depend on order.
        var vectorAr = MemoryMarshal.Cast<double, Vector<double>>(ar[..n]);
        var vectorAi = MemoryMarshal.Cast<double, Vector<double>>(ai[..n]);
        var vectorBr = MemoryMarshal.Cast<double, Vector<double>>(br[..n]);
        var vectorBi = MemoryMarshal.Cast<double, Vector<double>>(bi[..n]);
        var largest = Vector<double>.Zero;
        for (var k = 0; k < vectorBr.Length; k++)
        {
            var (vr, vi, wr, wi) = (vectorBr[k], vectorBi[k], vectorAr[k], vectorAi[k]);
            var (r, m) = (vr * wr + vi * wi, vi * wr - vr * wi);
            (vectorBr[k], vectorBi[k]) = (r, m);
            largest = Vector.Max(largest, Vector.SquareRoot(r * r + m * m));
        }

        var maxMagnitude = 0.0;
        for (var lane = 0; lane < Vector<double>.Count; lane++)
        {
            maxMagnitude = Math.Max(maxMagnitude, largest[lane]);
        }

        // Frequencies with almost no energy carry only noise in their phase: the normalisation is damped there
        // (ε = a fraction of the strongest cross-power term), or a smooth scene's peak would dissolve.
        var epsilon = Math.Max(1e-12, PhaseCorrelation.Damping * maxMagnitude);
        var vectorEpsilon = new Vector<double>(epsilon);
        double total = 0;
        for (var k = 0; k < vectorBr.Length; k++)
        {
            var (vr, vi) = (vectorBr[k], vectorBi[k]);
            var magnitude = Vector.SquareRoot(vr * vr + vi * vi);
            var scale = magnitude + vectorEpsilon;
            vectorBr[k] = vr / scale;
            vectorBi[k] = vi / scale;
            var terms = magnitude / scale;
            for (var lane = 0; lane < Vector<double>.Count; lane++)
            {
                total += terms[lane]; // in frequency order, as one at a time
            }
        }

        br.CopyTo(SpectrumRe);
        bi.CopyTo(SpectrumIm);
        _fft.Transform(br, bi, inverse: true);
        var best = 0;
        for (var i = 1; i < n; i++)
        {
            if (br[i] > br[best])
            {
                best = i;
            }
        }

        var (x, y) = (best % _size, best / _size);
        return (x > _size / 2 ? x - _size : x, y > _size / 2 ? y - _size : y, total > 0 ? br[best] / total : 0);
    }

    /// <summary>
    /// Evaluates the inverse DFT of the kept spectrum on a 21 × 21 grid of ±<paramref name="half"/> px around (cx, cy)
    /// (the upsampled matrix DFT of Guizar-Sicairos et al. 2008) and returns the grid point where it is highest.
    /// </summary>
    private (double X, double Y) RefinePass(double half, double cx, double cy)
    {
        var size = _size;
        var length = size * PaddedGrid;
        var kernels = Kernels;
        Span<double> kxr = kernels[..length], kxi = kernels.Slice(length, length);
        Span<double> kyr = kernels.Slice(2 * length, length), kyi = kernels.Slice(3 * length, length);
        Span<double> tr = kernels.Slice(4 * length, length), ti = kernels.Slice(5 * length, length);
        Span<double> xs = stackalloc double[PaddedGrid];
        Span<double> ys = stackalloc double[PaddedGrid];
        for (var i = 0; i < PaddedGrid; i++)
        {
            xs[i] = GridValue(cx, half, Math.Min(i, GridPoints - 1));
            ys[i] = GridValue(cy, half, Math.Min(i, GridPoints - 1));
        }

        Kernel(xs, kxr, kxi);
        Kernel(ys, kyr, kyi);

        // T(u, j) = Σ_v S(u, v) e^{2πi fv y_j / N}, u the column (x) frequency, v the row (y) frequency (the spectrum is
        // held transposed); then C(x_i, y_j) = Re Σ_u e^{2πi fu x_i / N} T(u, j). The spectrum is Hermitian (the
        // correlation surface is real), S(−u, −v) = conj S(u, v), and so is the x kernel, so the terms of u and N − u
        // are conjugate pairs up to the Nyquist row v = N/2 (whose kernel is e^{iπ y_j} on both sides): with
        // T'(u, j) = T(u, j) − i·Im K(N/2, j)·S(u, N/2), the pair sums to 2 Re K(u, i) T'(u, j). So only u = 0 … N/2 are
        // transformed (half the work); the value at each grid point is the same sum up to rounding.
        Span<double> sr = SpectrumRe, si = SpectrumIm;
        var vectors = PaddedGrid / Lanes;
        var mid = size / 2;
        for (var u = 0; u <= mid; u++)
        {
            var rowR = MemoryMarshal.Cast<double, Vector<double>>(tr.Slice(u * PaddedGrid, PaddedGrid));
            var rowI = MemoryMarshal.Cast<double, Vector<double>>(ti.Slice(u * PaddedGrid, PaddedGrid));
            rowR.Clear();
            rowI.Clear();
            Span<double> spectrumR = sr.Slice(u * size, size), spectrumI = si.Slice(u * size, size);
            for (var v = 0; v < size; v++)
            {
                var (a, b) = (new Vector<double>(spectrumR[v]), new Vector<double>(spectrumI[v]));
                var kr = MemoryMarshal.Cast<double, Vector<double>>(kyr.Slice(v * PaddedGrid, PaddedGrid));
                var ki = MemoryMarshal.Cast<double, Vector<double>>(kyi.Slice(v * PaddedGrid, PaddedGrid));
                for (var j = 0; j < vectors; j++)
                {
                    rowR[j] += a * kr[j] - b * ki[j];
                    rowI[j] += a * ki[j] + b * kr[j];
                }
            }
        }

        var nyquist = kyi.Slice(mid * PaddedGrid, PaddedGrid);
        for (var u = 1; u < mid; u++)
        {
            var (a, b) = (sr[u * size + mid], si[u * size + mid]);
            Span<double> rowR = tr.Slice(u * PaddedGrid, PaddedGrid), rowI = ti.Slice(u * PaddedGrid, PaddedGrid);
            for (var j = 0; j < PaddedGrid; j++)
            {
                rowR[j] += nyquist[j] * b;
                rowI[j] -= nyquist[j] * a;
            }
        }

        Span<double> values = stackalloc double[GridPoints * PaddedGrid];
        var sums = MemoryMarshal.Cast<double, Vector<double>>(values);
        sums.Clear();
        for (var i = 0; i < GridPoints; i++)
        {
            var sum = sums.Slice(i * vectors, vectors);
            for (var u = 0; u <= mid; u++)
            {
                var twice = u == 0 || u == mid ? 1.0 : 2.0;
                var (a, b) = (new Vector<double>(twice * kxr[u * PaddedGrid + i]), new Vector<double>(twice * kxi[u * PaddedGrid + i]));
                var rowR = MemoryMarshal.Cast<double, Vector<double>>(tr.Slice(u * PaddedGrid, PaddedGrid));
                var rowI = MemoryMarshal.Cast<double, Vector<double>>(ti.Slice(u * PaddedGrid, PaddedGrid));
                for (var j = 0; j < vectors; j++)
                {
                    sum[j] += a * rowR[j] - b * rowI[j];
                }
            }
        }

        // values[i · PaddedGrid + j] = C(x_i, y_j); the first highest in y-major order.
        var bestValue = double.NegativeInfinity;
        var (bx, by) = (cx, cy);
        for (var j = 0; j < GridPoints; j++)
        {
            for (var i = 0; i < GridPoints; i++)
            {
                if (values[i * PaddedGrid + j] > bestValue)
                {
                    (bestValue, bx, by) = (values[i * PaddedGrid + j], xs[i], ys[j]);
                }
            }
        }

        return (bx, by);
    }

    /// <summary>Grid point <paramref name="i"/> of a pass of ±<paramref name="half"/> px around <paramref name="centre"/>.</summary>
    private static double GridValue(double centre, double half, int i) => centre + half * (i - Steps) / Steps;

    /// <summary>
    /// K(u, i) = e^{2πi fu z_i / N} for every frequency index u (fu = u up to N/2, u − N above) and grid value z_i:
    /// powers of e^{2πi z_i / N} for fu ≥ 0, their conjugates for fu &lt; 0.
    /// </summary>
    private void Kernel(ReadOnlySpan<double> zs, Span<double> kr, Span<double> ki)
    {
        var size = _size;
        var vectors = PaddedGrid / Lanes;
        Span<double> stepR = stackalloc double[PaddedGrid];
        Span<double> stepI = stackalloc double[PaddedGrid];
        for (var i = 0; i < PaddedGrid; i++)
        {
            (stepI[i], stepR[i]) = Math.SinCos(2 * Math.PI * zs[i] / size);
        }

        kr[..PaddedGrid].Fill(1);
        ki[..PaddedGrid].Clear();
        Span<Vector<double>> wr = MemoryMarshal.Cast<double, Vector<double>>(stepR), wi = MemoryMarshal.Cast<double, Vector<double>>(stepI);
        for (var u = 1; u <= size / 2; u++)
        {
            Span<Vector<double>> pr = MemoryMarshal.Cast<double, Vector<double>>(kr.Slice((u - 1) * PaddedGrid, PaddedGrid));
            Span<Vector<double>> pi = MemoryMarshal.Cast<double, Vector<double>>(ki.Slice((u - 1) * PaddedGrid, PaddedGrid));
            Span<Vector<double>> cr = MemoryMarshal.Cast<double, Vector<double>>(kr.Slice(u * PaddedGrid, PaddedGrid));
            Span<Vector<double>> ci = MemoryMarshal.Cast<double, Vector<double>>(ki.Slice(u * PaddedGrid, PaddedGrid));
            for (var j = 0; j < vectors; j++)
            {
                cr[j] = pr[j] * wr[j] - pi[j] * wi[j];
                ci[j] = pr[j] * wi[j] + pi[j] * wr[j];
            }
        }

        for (var u = size / 2 + 1; u < size; u++)
        {
            kr.Slice((size - u) * PaddedGrid, PaddedGrid).CopyTo(kr.Slice(u * PaddedGrid, PaddedGrid));
            Span<double> source = ki.Slice((size - u) * PaddedGrid, PaddedGrid), destination = ki.Slice(u * PaddedGrid, PaddedGrid);
            for (var j = 0; j < PaddedGrid; j++)
            {
                destination[j] = -source[j];
            }
        }
    }

    /// <summary>The window at (x0, y0), mean-removed (NaN counts as the mean) and Hann-windowed, into <paramref name="destination"/>.</summary>
    private void Load(ReadOnlySpan<float> plane, int x0, int y0, Span<double> destination)
    {
        var size = _size;
        double sum = 0;
        var count = 0;
        for (var y = 0; y < size; y++)
        {
            foreach (var v in plane.Slice((y0 + y) * _width + x0, size))
            {
                if (float.IsFinite(v))
                {
                    sum += v;
                    count++;
                }
            }
        }

        var mean = count > 0 ? sum / count : 0;
        var hann = Hann;
        for (var y = 0; y < size; y++)
        {
            var wy = hann[y];
            var row = plane.Slice((y0 + y) * _width + x0, size);
            var dst = destination.Slice(y * size, size);
            for (var x = 0; x < size; x++)
            {
                var v = float.IsFinite(row[x]) ? row[x] - mean : 0;
                dst[x] = v * hann[x] * wy;
            }
        }
    }
}
