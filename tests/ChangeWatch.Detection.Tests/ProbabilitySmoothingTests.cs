using ChangeWatch.Core.Imaging;
using ChangeWatch.Detection;

namespace ChangeWatch.Detection.Tests;

public sealed class ProbabilitySmoothingTests
{
    private const int Size = 64;

    [Theory]
    [InlineData("box:2", SmoothingKind.Box, 2, 0.0)]
    [InlineData("box:32", SmoothingKind.Box, 32, 0.0)]
    [InlineData("guided:4:0.2", SmoothingKind.Guided, 4, 0.2)]
    [InlineData("guided:8:1", SmoothingKind.Guided, 8, 1.0)]
    [InlineData(" guided:1:1E-3 ", SmoothingKind.Guided, 1, 0.001)]
    public void Parse_ReadsTheManifestForm_AndNameWritesItBack(string text, SmoothingKind kind, int radius, double epsilon)
    {
        var smoothing = ProbabilitySmoothing.Parse(text);

        Assert.Equal(new ProbabilitySmoothing(kind, radius, epsilon), smoothing);
        Assert.Equal(smoothing, ProbabilitySmoothing.Parse(smoothing.Name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("box")]
    [InlineData("box:0")]
    [InlineData("box:33")]
    [InlineData("box:2:0.5")]
    [InlineData("box:-2")]
    [InlineData("guided:4")]
    [InlineData("guided:4:0")]
    [InlineData("guided:4:-1")]
    [InlineData("guided:4:NaN")]
    [InlineData("guided:4:Infinity")]
    [InlineData("gauss:2")]
    [InlineData("Box:2")]
    public void Parse_AnythingElse_IsRefused(string text) =>
        Assert.Throws<FormatException>(() => ProbabilitySmoothing.Parse(text));

    [Fact]
    public void Default_IsTheFiveByFiveBoxMean()
    {
        Assert.Equal("box:2", ProbabilitySmoothing.Default.Name);
        var raw = Speckle(seed: 3);
        var expected = new float[Size * Size];
        BoxFilter.Mean(raw, Size, Size, 2, expected, new double[BoxFilter.IntegralLength(Size, Size)]);

        var smoothed = Apply(ProbabilitySmoothing.Default, raw, Roof(), AllValid());

        Assert.Equal(expected, smoothed);
    }

    [Fact]
    public void Guided_OnAMapThatSpillsPastARoof_DrawsTheChangeAlongTheRoofsOutline()
    {
        // The after image: a bright 24 px roof on darker, textured ground. The ensemble's map: a 30 px square (the roof
        // grown by 3 px: local-mean features see the roof from outside it) blurred by an 11 px box. Thresholded at 0.5, a
        // box mean keeps the spill; the guided filter follows the roof's edges (measured: 118 pixels on the wrong side against 268).
        var truth = RoofMask();
        var spill = new float[Size * Size];
        for (var y = 17; y < 47; y++)
        {
            spill.AsSpan(y * Size + 17, 30).Fill(1f);
        }

        var raw = new float[Size * Size];
        BoxFilter.Mean(spill, Size, Size, 5, raw, new double[BoxFilter.IntegralLength(Size, Size)]);

        var box = Apply(new ProbabilitySmoothing(SmoothingKind.Box, 4), raw, Roof(), AllValid());
        var guided = Apply(new ProbabilitySmoothing(SmoothingKind.Guided, 4, 0.2), raw, Roof(), AllValid());

        var (boxWrong, guidedWrong) = (Misclassified(box, truth), Misclassified(guided, truth));
        Assert.True(boxWrong >= 200, $"box {boxWrong}");
        Assert.True(guidedWrong < boxWrong / 2, $"guided {guidedWrong} of {Size * Size} pixels on the wrong side of 0.5, box {boxWrong}");
        Assert.All(guided, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Guided_WithAFlatGuide_IsABoxMeanOfABoxMean()
    {
        var raw = Speckle(seed: 5);
        var flat = new TileRaster(Size, Size, 3, Enumerable.Repeat(100f, 3 * Size * Size).ToArray());
        var integral = new double[BoxFilter.IntegralLength(Size, Size)];
        var once = new float[Size * Size];
        var twice = new float[Size * Size];
        BoxFilter.Mean(raw, Size, Size, 3, once, integral);
        BoxFilter.Mean(once, Size, Size, 3, twice, integral);

        var guided = Apply(new ProbabilitySmoothing(SmoothingKind.Guided, 3, 0.5), raw, flat, AllValid());

        Assert.All(Enumerable.Range(0, Size * Size), i => Assert.Equal(twice[i], guided[i], 1e-5f));
    }

    [Theory]
    [InlineData("box:2")]
    [InlineData("guided:4:0.2")]
    public void Apply_PixelsWithoutData_AreZero(string name)
    {
        var valid = AllValid();
        valid.AsSpan(0, Size * 8).Clear();
        var after = Roof();
        after.Band(0)[..(Size * 8)].Fill(float.NaN);

        var smoothed = Apply(ProbabilitySmoothing.Parse(name), Enumerable.Repeat(0.8f, Size * Size).ToArray(), after, valid);

        Assert.All(smoothed.AsSpan(0, Size * 8).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(smoothed.AsSpan(Size * 8).ToArray(), v => Assert.Equal(0.8f, v, 1e-4f));
    }

    [Theory]
    [InlineData(SmoothingKind.Box, 0, 0.0)]
    [InlineData(SmoothingKind.Box, 33, 0.0)]
    [InlineData(SmoothingKind.Box, 2, 0.5)]
    [InlineData(SmoothingKind.Guided, 4, 0.0)]
    [InlineData(SmoothingKind.Guided, 4, double.NaN)]
    [InlineData((SmoothingKind)7, 4, 1.0)]
    public void Constructor_OutOfRange_Throws(SmoothingKind kind, int radius, double epsilon) =>
        Assert.Throws<ArgumentException>(() => new ProbabilitySmoothing(kind, radius, epsilon));

    [Fact]
    public void With_CannotChangeTheCheckedValues()
    {
        // The properties have no init accessor, so a `with` copy is the same checked smoothing.
        var smoothing = new ProbabilitySmoothing(SmoothingKind.Guided, 4, 0.2);

        Assert.Equal(smoothing, smoothing with { });
        Assert.Equal("guided:4:0.2", (smoothing with { }).Name);
    }

    private static float[] Apply(ProbabilitySmoothing smoothing, float[] raw, TileRaster after, byte[] valid)
    {
        var destination = new float[Size * Size];
        smoothing.Apply(raw, after, valid, destination, new double[BoxFilter.IntegralLength(Size, Size)]);
        return destination;
    }

    private static byte[] AllValid() => Enumerable.Repeat((byte)1, Size * Size).ToArray();

    private static float[] RoofMask()
    {
        var mask = new float[Size * Size];
        for (var y = 20; y < 44; y++)
        {
            mask.AsSpan(y * Size + 20, 24).Fill(1f);
        }

        return mask;
    }

    private static TileRaster Roof()
    {
        var mask = RoofMask();
        var data = new float[3 * Size * Size];
        for (var b = 0; b < 3; b++)
        {
            for (var i = 0; i < Size * Size; i++)
            {
                data[b * Size * Size + i] = mask[i] > 0 ? 200f + b : 60f + (i % 7);
            }
        }

        return new TileRaster(Size, Size, 3, data);
    }

    private static float[] Speckle(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Size * Size).Select(_ => (float)random.NextDouble()).ToArray();
    }

    private static int Misclassified(float[] map, float[] truth) =>
        map.Zip(truth, (m, t) => (m >= 0.5f) != (t > 0)).Count(wrong => wrong);
}
