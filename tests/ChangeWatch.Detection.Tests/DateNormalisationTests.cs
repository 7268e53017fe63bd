using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection.Tests;

public sealed class DateNormalisationTests
{
    [Fact]
    public void MarkValid_NonFiniteValuesAnywhere_MarksExactlyThePixelsWithOne()
    {
        const int w = 37, h = 5, n = w * h; // not a multiple of any vector width: a partial last vector
        var random = new Random(3);
        var before = Enumerable.Range(0, 3 * n).Select(_ => (float)random.NextDouble() * 100).ToArray();
        var after = Enumerable.Range(0, 3 * n).Select(_ => (float)random.NextDouble() * 100).ToArray();
        var expected = Enumerable.Repeat((byte)1, n).ToArray();
        foreach (var (date, index, value) in new[] { (0, 3, float.NaN), (1, n + 17, float.PositiveInfinity), (0, 2 * n + 40, float.NegativeInfinity), (1, n - 1, float.NaN), (0, 64, float.NaN) })
        {
            (date == 0 ? before : after)[index] = value;
            expected[index % n] = 0;
        }

        var valid = new byte[n];
        var count = DateNormalisation.MarkValid(new TileRaster(w, h, 3, before), new TileRaster(w, h, 3, after), valid);

        Assert.Equal(expected, valid);
        Assert.Equal(n - 5, count);
    }

    [Fact]
    public void Normalise_SomePixelsInvalid_GivesEachPixelItsOwnZValueOrZero()
    {
        const int n = 101;
        var random = new Random(4);
        var band = Enumerable.Range(0, n).Select(_ => 20 + (float)random.NextDouble() * 50).ToArray();
        var valid = Enumerable.Range(0, n).Select(i => i % 13 == 5 || i == n - 1 ? (byte)0 : (byte)1).ToArray();
        var scene = new BandStatistics(10, 20, 34, 40, 46, 60, 70); // median 40, IQR 12
        var z = new float[n];

        DateNormalisation.Normalise(band, valid, valid.Count(v => v != 0), z, new float[RobustStats.MaxSample], scene);

        var inv = 1f / Math.Max(12f / 1.349f, Math.Max(1e-6f, 0.01f * 40f));
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(valid[i] != 0 ? (band[i] - 40f) * inv : 0f, z[i]);
        }
    }
}
