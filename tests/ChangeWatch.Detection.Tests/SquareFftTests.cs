namespace ChangeWatch.Detection.Tests;

public sealed class SquareFftTests
{
    [Theory]
    [InlineData(16, false)]
    [InlineData(32, false)]
    [InlineData(32, true)]
    public void Transform_RandomInput_MatchesANaiveDftToWithin1eMinus9(int size, bool inverse)
    {
        // Tolerance: 1e-9 of the largest coefficient; radix-2 rounding error grows as log2(N) ulps, far below it.
        var random = new Random(size);
        var n = size * size;
        var re = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var (expectedRe, expectedIm) = NaiveDft(re, im, size, inverse);

        SquareFft.ForSize(size).Transform(re, im, inverse);

        var scale = expectedRe.Zip(expectedIm, (a, b) => Math.Sqrt(a * a + b * b)).Max();
        var worst = Enumerable.Range(0, n).Max(i => Math.Max(Math.Abs(re[i] - expectedRe[i]), Math.Abs(im[i] - expectedIm[i])));
        Assert.True(worst <= 1e-9 * scale, $"largest difference {worst:E2} against a largest coefficient of {scale:F2}");
    }

    [Fact]
    public void Transform_ForwardThenInverse_ReturnsTheInputTimesNSquared()
    {
        const int size = 64;
        var random = new Random(7);
        var input = Enumerable.Range(0, size * size).Select(_ => random.NextDouble()).ToArray();
        var re = (double[])input.Clone();
        var im = new double[size * size];
        var fft = SquareFft.ForSize(size);

        fft.Transform(re, im, inverse: false);
        fft.Transform(re, im, inverse: true);

        for (var i = 0; i < input.Length; i++)
        {
            Assert.Equal(input[i], re[i] / (size * size), 12);
            Assert.Equal(0, im[i] / (size * size), 12);
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(48)]
    [InlineData(2048)]
    public void ForSize_NotAPowerOfTwoIn16To1024_Throws(int size) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SquareFft.ForSize(size));

    /// <summary>F[p, q] = Σ_r Σ_c f[r, c] e^{∓2πi (p c + q r) / N}: the transposed layout the FFT documents.</summary>
    private static (double[] Re, double[] Im) NaiveDft(double[] re, double[] im, int size, bool inverse)
    {
        var sign = inverse ? 1.0 : -1.0;
        var outRe = new double[size * size];
        var outIm = new double[size * size];
        for (var p = 0; p < size; p++)
        {
            for (var q = 0; q < size; q++)
            {
                double sr = 0, si = 0;
                for (var r = 0; r < size; r++)
                {
                    for (var c = 0; c < size; c++)
                    {
                        var angle = sign * 2 * Math.PI * ((p * c + q * r) % size) / size;
                        var (s, co) = Math.SinCos(angle);
                        var (a, b) = (re[r * size + c], im[r * size + c]);
                        sr += a * co - b * s;
                        si += a * s + b * co;
                    }
                }

                outRe[p * size + q] = sr;
                outIm[p * size + q] = si;
            }
        }

        return (outRe, outIm);
    }
}
