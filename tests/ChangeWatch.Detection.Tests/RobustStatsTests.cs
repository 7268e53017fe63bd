namespace ChangeWatch.Detection.Tests;

public sealed class RobustStatsTests
{
    [Theory]
    [InlineData(4096, 1)]
    [InlineData(1000, 2)]
    [InlineData(63, 3)]
    public void Sort_RandomValuesWithTiesAndSigns_GivesTheComparisonSortsOrder(int length, int seed)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, length).Select(_ => random.Next(4) switch
        {
            0 => (float)Math.Round(random.NextDouble() * 10 - 5), // ties
            1 => (float)(random.NextDouble() * 1e6 - 5e5),
            2 => (float)(random.NextDouble() * 1e-3 - 5e-4),
            _ => random.Next(2) == 0 ? 0f : -0f,
        }).ToArray();
        var expected = (float[])values.Clone();
        Array.Sort(expected);

        RobustStats.Sort(values);

        Assert.Equal(expected, values);
    }

    [Fact]
    public void Sort_SampleHoldingNaN_SortsAsTheComparisonSortDoes()
    {
        var values = Enumerable.Range(0, 200).Select(i => i == 50 ? float.NaN : (float)Math.Sin(i)).ToArray();
        var expected = (float[])values.Clone();
        Array.Sort(expected);

        RobustStats.Sort(values);

        Assert.Equal(expected, values);
    }
}
