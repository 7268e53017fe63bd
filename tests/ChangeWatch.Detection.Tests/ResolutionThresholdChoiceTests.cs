using ChangeWatch.Training.Data;
using ChangeWatch.Training.Evaluation;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Detection.Tests;

public sealed class ResolutionThresholdChoiceTests
{
    [Fact]
    public void Choose_TwoDatasetsSeparatedAtDifferentProbabilities_GivesEachItsOwnThresholdAndBand()
    {
        // Fine imagery: change at probability 0.45, no change at 0.2. Coarse imagery: change 0.9, no change 0.7.
        var fine = Pair("levir", 0.5, changed: 0.45f, unchanged: 0.2f);
        var coarse = Pair("oscd", 10, changed: 0.9f, unchanged: 0.7f);
        var synthetic = Pair(SyntheticPixelPairs.Dataset, 0.5, changed: 0.99f, unchanged: 0.95f);

        var bands = ResolutionThresholdChoice.Choose([fine, coarse, synthetic], TextWriter.Null);

        Assert.Equal(2, bands.Count);
        Assert.Equal(Math.Sqrt(5), bands[0].MaxGroundSampleDistance, 3);
        Assert.InRange(bands[0].Threshold, 0.201, 0.45);
        Assert.Equal(20, bands[1].MaxGroundSampleDistance);
        Assert.InRange(bands[1].Threshold, 0.701, 0.9);
        Assert.Equal(bands[0].Threshold, ResolutionThreshold.Select(bands, 0.6, 1.5));
        Assert.Equal(0.6, ResolutionThreshold.Select(bands, 0.6, 30));
    }

    [Fact]
    public void Generate_SamePairCount_GivesTheSamePairsAtTheStatedResolution()
    {
        var a = SyntheticPixelPairs.Generate(2);
        var b = SyntheticPixelPairs.Generate(2);

        Assert.Equal(a.Select(p => p.Before), b.Select(p => p.Before));
        Assert.All(a, p => Assert.Equal((SyntheticPixelPairs.Dataset, SyntheticPixelPairs.GroundSampleDistance), (p.Dataset, p.GroundSampleDistance)));
        Assert.NotEqual(a[0].Site, a[1].Site);
    }

    private static KeyValuePair<ChangePair, float[]> Pair(string dataset, double gsd, float changed, float unchanged)
    {
        const int n = 64 * 64;
        var truth = new byte[n];
        var map = new float[n];
        for (var i = 0; i < n; i++)
        {
            truth[i] = i % 4 == 0 ? (byte)1 : (byte)0;
            map[i] = truth[i] == 1 ? changed : unchanged;
        }

        return new(new ChangePair(dataset, dataset, dataset, 64, 64, 3, new float[3 * n], new float[3 * n], truth, gsd), map);
    }
}
