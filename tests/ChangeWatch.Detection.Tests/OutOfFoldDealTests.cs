using ChangeWatch.Training.Data;
using ChangeWatch.Training.Modelling;

namespace ChangeWatch.Detection.Tests;

/// <summary>Experts' cross-validation repeated over several deals of the sites into folds.</summary>
public sealed class OutOfFoldDealTests
{
    private static readonly string[] Sites = ["oscd/nantes", "oscd/abudhabi", "oscd/bercy", "oscd/hongkong", "oscd/beihai", "oscd/cupertino", "oscd/bordeaux", "oscd/aguasclaras"];

    [Fact]
    public void Deal_FirstRepetition_IsTheOrdinalOrder()
    {
        Assert.Equal(Sites.Order(StringComparer.Ordinal), OutOfFoldMaps.Deal(Sites, seed: 1, repetition: 0));
    }

    [Fact]
    public void Deal_LaterRepetitions_AreOtherOrdersOfTheSameSites_TheSameEveryRun()
    {
        var ordinal = OutOfFoldMaps.Deal(Sites, 1, 0);
        var second = OutOfFoldMaps.Deal(Sites, 1, 1);
        var third = OutOfFoldMaps.Deal(Sites, 1, 2);

        Assert.Equal(ordinal.Order(StringComparer.Ordinal), second.Order(StringComparer.Ordinal));
        Assert.Equal(ordinal.Order(StringComparer.Ordinal), third.Order(StringComparer.Ordinal));
        Assert.NotEqual(ordinal, second);
        Assert.NotEqual(second, third);
        Assert.Equal(second, OutOfFoldMaps.Deal([.. Sites.Reverse()], 1, 1));
        Assert.NotEqual(second, OutOfFoldMaps.Deal(Sites, 2, 1));
    }

    [Fact]
    public void Deal_NegativeRepetition_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OutOfFoldMaps.Deal(Sites, 1, -1));
    }

    [Fact]
    public void Score_AnotherDeal_StillScoresEveryPairOnceFromAModelThatNeverSawItsSite()
    {
        var pairs = SyntheticPixelPairs.Generate(4);
        var samples = pairs.ToDictionary(p => p, p => PixelSamples.Draw(p, 200, 200, 1));

        var first = OutOfFoldMaps.Score(pairs, samples, new(6, 8), seed: 1, stride: 2, gate: 0);
        var second = OutOfFoldMaps.Score(pairs, samples, new(6, 8), seed: 1, stride: 2, gate: 0, repetition: 1);

        Assert.Equal(pairs.ToHashSet(), first.Keys.ToHashSet());
        Assert.Equal(pairs.ToHashSet(), second.Keys.ToHashSet());
        Assert.Contains(pairs, p => !first[p].AsSpan().SequenceEqual(second[p]));
    }

    [Fact]
    public void Train_SeveralDeals_PoolsTheirMapsDeterministically_OneDealIsTheEarlierChoice()
    {
        var pairs = SyntheticPixelPairs.Generate(4);
        var samples = pairs.ToDictionary(p => p, p => PixelSamples.Draw(p, 200, 200, 1));

        var one = ExpertTraining.Train(pairs, samples, [new(6, 8)], stride: 2, gate: 0, seed: 1);
        var oneAgain = ExpertTraining.Train(pairs, samples, [new(6, 8)], stride: 2, gate: 0, seed: 1, repeats: 1);
        var three = ExpertTraining.Train(pairs, samples, [new(6, 8)], stride: 2, gate: 0, seed: 1, repeats: 3);
        var threeAgain = ExpertTraining.Train(pairs, samples, [new(6, 8)], stride: 2, gate: 0, seed: 1, repeats: 3);

        Assert.Equal((one.Threshold, one.ValidationF1), (oneAgain.Threshold, oneAgain.ValidationF1));
        Assert.Equal((three.Threshold, three.ValidationF1), (threeAgain.Threshold, threeAgain.ValidationF1));
        Assert.NotEqual((one.Threshold, one.ValidationF1), (three.Threshold, three.ValidationF1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpertTraining.Train(pairs, samples, [new(6, 8)], stride: 2, gate: 0, seed: 1, repeats: 0));
    }
}
