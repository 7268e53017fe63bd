using System.Numerics;
using System.Runtime.InteropServices;

namespace ChangeWatch.Detection;

/// <summary>
/// Radix-2 fast Fourier transform of an N × N complex array (N a power of two, 16-1024) held as two planes of doubles
/// (real, imaginary; row-major), in place, unnormalised both ways. Both passes run along the row index over whole rows
/// (so the inner loop is a vector operation over contiguous doubles), with a transpose between them; the result is left
/// transposed: element [p·N + q] is the coefficient of column frequency p and row frequency q,
/// <c>Σ_r Σ_c f[r, c] e^{∓2πi (p c + q r) / N}</c> (− forward, + inverse). Applying the transform twice therefore returns
/// to the input's layout (times N² after a forward and an inverse). Twiddles and the bit-reversal permutation are
/// computed once per size and shared; no allocation per call. Thread-safe.
/// </summary>
internal sealed class SquareFft
{
    private static readonly SquareFft?[] Cache = new SquareFft?[11];

    private readonly double[] _cos;
    private readonly double[] _sin;
    private readonly int[] _reversed;

    private SquareFft(int size)
    {
        Size = size;
        _cos = new double[size / 2];
        _sin = new double[size / 2];
        for (var k = 0; k < size / 2; k++)
        {
            (_sin[k], _cos[k]) = Math.SinCos(-2 * Math.PI * k / size);
        }

        _reversed = new int[size];
        var bits = BitOperations.Log2((uint)size);
        for (var i = 0; i < size; i++)
        {
            _reversed[i] = (int)(ReverseBits((uint)i) >> (32 - bits));
        }
    }

    /// <summary>Side of the arrays this instance transforms.</summary>
    public int Size { get; }

    /// <summary>The shared instance for <paramref name="size"/> (a power of two, 16-1024).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not a power of two in 16-1024.</exception>
    public static SquareFft ForSize(int size)
    {
        if (size < 16 || size > 1024 || !BitOperations.IsPow2(size))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The FFT size must be a power of two in 16-1024.");
        }

        var log = BitOperations.Log2((uint)size);
        return Volatile.Read(ref Cache[log]) ?? Interlocked.CompareExchange(ref Cache[log], new SquareFft(size), null) ?? Cache[log]!;
    }

    /// <summary>Transforms the N × N array (<paramref name="re"/>, <paramref name="im"/>, each at least N² long) in place; the result is transposed (see the type).</summary>
    public void Transform(Span<double> re, Span<double> im, bool inverse)
    {
        var n = Size * Size;
        re = re[..n];
        im = im[..n];
        AlongRows(re, im, inverse);
        Transpose(re, Size);
        Transpose(im, Size);
        AlongRows(re, im, inverse);
    }

    /// <summary>One-dimensional transforms along the row index, for every column at once: whole rows are combined.</summary>
    private void AlongRows(Span<double> re, Span<double> im, bool inverse)
    {
        var size = Size;
        for (var i = 0; i < size; i++)
        {
            var j = _reversed[i];
            if (i < j)
            {
                SwapRows(re, i, j, size);
                SwapRows(im, i, j, size);
            }
        }

        var sign = inverse ? -1.0 : 1.0;
        for (var half = 1; half < size; half <<= 1)
        {
            var step = size / (2 * half);
            for (var block = 0; block < size; block += 2 * half)
            {
                for (var k = 0; k < half; k++)
                {
                    var top = (block + k) * size;
                    var bottom = top + half * size;
                    Butterfly(
                        re.Slice(top, size), im.Slice(top, size), re.Slice(bottom, size), im.Slice(bottom, size),
                        _cos[k * step], sign * _sin[k * step], k == 0);
                }
            }
        }
    }

    /// <summary>(a, b) ← (a + w·b, a − w·b) over two rows, w = wr + i·wi.</summary>
    private static void Butterfly(Span<double> ar, Span<double> ai, Span<double> br, Span<double> bi, double wr, double wi, bool unit)
    {
        var rowAr = MemoryMarshal.Cast<double, Vector<double>>(ar);
        var vai = MemoryMarshal.Cast<double, Vector<double>>(ai);
        var vbr = MemoryMarshal.Cast<double, Vector<double>>(br);
        var vbi = MemoryMarshal.Cast<double, Vector<double>>(bi);
        var done = rowAr.Length * Vector<double>.Count;
        if (unit)
        {
            for (var x = 0; x < rowAr.Length; x++)
            {
                var (ur, ui, vr, vi) = (rowAr[x], vai[x], vbr[x], vbi[x]);
                rowAr[x] = ur + vr;
                vai[x] = ui + vi;
                vbr[x] = ur - vr;
                vbi[x] = ui - vi;
            }

            for (var x = done; x < ar.Length; x++)
            {
                var (ur, ui, vr, vi) = (ar[x], ai[x], br[x], bi[x]);
                (ar[x], ai[x], br[x], bi[x]) = (ur + vr, ui + vi, ur - vr, ui - vi);
            }

            return;
        }

        var cr = new Vector<double>(wr);
        var ci = new Vector<double>(wi);
        for (var x = 0; x < rowAr.Length; x++)
        {
            var (ur, ui) = (rowAr[x], vai[x]);
            var vr = vbr[x] * cr - vbi[x] * ci;
            var vi = vbr[x] * ci + vbi[x] * cr;
            rowAr[x] = ur + vr;
            vai[x] = ui + vi;
            vbr[x] = ur - vr;
            vbi[x] = ui - vi;
        }

        for (var x = done; x < ar.Length; x++)
        {
            var vr = br[x] * wr - bi[x] * wi;
            var vi = br[x] * wi + bi[x] * wr;
            var (ur, ui) = (ar[x], ai[x]);
            (ar[x], ai[x], br[x], bi[x]) = (ur + vr, ui + vi, ur - vr, ui - vi);
        }
    }

    /// <summary>In-place transpose of a square plane, in 8 × 8 blocks.</summary>
    private static void Transpose(Span<double> plane, int size)
    {
        const int Block = 8;
        for (var by = 0; by < size; by += Block)
        {
            for (var bx = by; bx < size; bx += Block)
            {
                for (var y = by; y < by + Block; y++)
                {
                    for (var x = bx == by ? y + 1 : bx; x < bx + Block; x++)
                    {
                        (plane[y * size + x], plane[x * size + y]) = (plane[x * size + y], plane[y * size + x]);
                    }
                }
            }
        }
    }

    private static void SwapRows(Span<double> plane, int i, int j, int size)
    {
        var a = plane.Slice(i * size, size);
        var b = plane.Slice(j * size, size);
        for (var x = 0; x < size; x++)
        {
            (a[x], b[x]) = (b[x], a[x]);
        }
    }

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }
}
