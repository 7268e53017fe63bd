using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using ChangeWatch.Training.Evaluation;

namespace ChangeWatch.Detection.Tests;

public sealed class CountCensusTests
{
    [Fact]
    public void Take_ThreeTuningScenes_PutsEveryArrivalAndStaticVehicleInExactlyOneRow()
    {
        var census = CountCensus.Take(3, SyntheticSeeds.CountTuning, 1.0, VehicleCountModel.Shipped);

        var scenes = Enumerable.Range(0, 3).Select(i => CountScenes.BuildUp(SyntheticSeeds.CountTuning, i)).ToList();
        Assert.Equal(scenes.Sum(s => s.Objects.Count(o => o.After && !o.Before)), census.TrueArrivals);
        Assert.Equal(scenes.Sum(s => s.Objects.Count(o => o.After && o.Before)), census.TrueStatic);
        Assert.Equal(census.TrueArrivals, census.Arrivals.Values.Sum(v => v.Arrivals));
        Assert.Equal(census.TrueStatic, census.Static.Values.Sum());
        Assert.True(census.TrueArrivals > 0);
        Assert.All(census.Arrivals.Values, v => Assert.True(v.Counted >= 0 && v.Blobs >= 0));
        Assert.InRange(census.Departures, 0, double.MaxValue);
    }

    [Fact]
    public void CountsOnly_ExplainWithTheRulesCounter_IsRefused()
    {
        var options = new EvalOptions(
            string.Empty, "synthetic", "shipped", "v1", Some.ModelDirectory(), string.Empty, Json: false, new(), 1000, 1, Only: "counts", Counts: "tuning", CountsSceneCount: 1, Counter: "rules", Explain: true);

        var ex = Assert.Throws<FormatException>(() => EvalCommand.Run(options, TextWriter.Null));

        Assert.Contains("--explain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CountsOnly_ExplainOnOneDevelopmentSceneWithTheKeypointCounter_PrintsTheCensusAfterTheFigures()
    {
        var options = new EvalOptions(
            string.Empty, "synthetic", "shipped", "v1", Some.ModelDirectory(), string.Empty, Json: false, new(), 1000, 1, Only: "counts", Counts: "development", CountsSceneCount: 1, Counter: "objects-v3", Explain: true);
        var output = new StringWriter();

        Assert.Equal(0, EvalCommand.Run(options, output));

        var text = output.ToString();
        var figures = text.IndexOf("vehicle counts (1 build-up scenes, seed 7003", StringComparison.Ordinal);
        var census = text.IndexOf("count census (1 build-up scenes, seed 7003, 1 m, counted by objects-v3", StringComparison.Ordinal);
        Assert.True(figures >= 0 && census > figures, text);
        Assert.Contains("static vehicles (", text, StringComparison.Ordinal);
        Assert.Contains("keypoint", text, StringComparison.Ordinal);
        Assert.Contains("departures counted (none left in these scenes):", text, StringComparison.Ordinal);
    }
}
