namespace ChangeWatch.Detection.Tests;

public sealed class PhaseCorrelationTests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(1.0, -2.0)]
    [InlineData(0.3, 0.7)]
    [InlineData(-2.45, 1.15)]
    [InlineData(4.6, -3.8)]
    public void Estimate_KnownSubPixelShift_IsRecoveredTo0Point1Pixel(double dx, double dy)
    {
        const int w = 160, h = 144;
        var reference = Render(w, h, 0, 0);
        var moving = Render(w, h, dx, dy);

        var (sx, sy, peak) = PhaseCorrelation.Estimate(reference, moving, w, h);

        Assert.True(Math.Abs(sx - dx) <= 0.1 && Math.Abs(sy - dy) <= 0.1, $"expected ({dx}, {dy}), got ({sx:F3}, {sy:F3})");
        Assert.True(peak > 0.3, $"peak {peak:F3}");
    }

    [Fact]
    public void Estimate_UnrelatedContent_GivesALowPeak()
    {
        var random = new Random(3);
        var a = Enumerable.Range(0, 64 * 64).Select(_ => (float)random.NextDouble()).ToArray();
        var b = Enumerable.Range(0, 64 * 64).Select(_ => (float)random.NextDouble()).ToArray();

        var (_, _, peak) = PhaseCorrelation.Estimate(a, b, 64, 64);

        Assert.True(peak < 0.2, $"peak {peak:F3}");
    }

    /// <summary>Smooth texture (sum of sinusoids and blobs) sampled at (x − dx, y − dy): an exact sub-pixel translation.</summary>
    private static float[] Render(int w, int h, double dx, double dy)
    {
        var data = new float[w * h];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var (u, v) = (x - dx, y - dy);
                var value = 100
                    + 20 * Math.Sin(u * 0.21 + 0.5) * Math.Cos(v * 0.17)
                    + 15 * Math.Sin(u * 0.05 + v * 0.11)
                    + 10 * Math.Cos(u * 0.37 - v * 0.29)
                    + 40 * Math.Exp(-((u - 70) * (u - 70) + (v - 60) * (v - 60)) / 50.0)
                    + 30 * Math.Exp(-((u - 40) * (u - 40) + (v - 100) * (v - 100)) / 20.0);
                data[y * w + x] = (float)value;
            }
        }

        return data;
    }
}
