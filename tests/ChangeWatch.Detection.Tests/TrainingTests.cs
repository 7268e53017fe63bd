using ChangeWatch.Training.Data;
using ChangeWatch.Training.Evaluation;
using ChangeWatch.Training.Modelling;

namespace ChangeWatch.Detection.Tests;

public sealed class TrainingTests
{
    [Fact]
    public void Train_SameDataTwice_GivesIdenticalScores()
    {
        var train = SyntheticDataset.Generate(5, 60, TestContext.Current.CancellationToken);
        var calibration = SyntheticDataset.Generate(6, 30, TestContext.Current.CancellationToken);
        var settings = new TreeSettings(Trees: 10, Leaves: 4, MinExamplesPerLeaf: 2);

        var first = new ChangeModelTrainer(5, settings);
        var second = new ChangeModelTrainer(5, settings);
        var a = first.Score(first.Train(train, calibration), calibration);
        var b = second.Score(second.Train(train, calibration), calibration);

        Assert.Equal(a, b);
        Assert.True(a.Distinct().Count() > 2, "the model should not be constant");
    }

    [Fact]
    public void TrainTypes_SameDataTwice_GivesIdenticalModelPredictions()
    {
        var train = TypeDataset.Generate(15, 50, TestContext.Current.CancellationToken);
        var check = TypeDataset.Generate(16, 25, TestContext.Current.CancellationToken);
        var settings = new TreeSettings(Trees: 8, Leaves: 4, MinExamplesPerLeaf: 2);

        var first = new TypeModelTrainer(3, settings);
        var second = new TypeModelTrainer(3, settings);
        var a = first.Predict(first.Train(train), check);
        var b = second.Predict(second.Train(train), check);

        Assert.Equal(a, b);
        Assert.True(a.Distinct().Count() > 1, "the type model should not predict one class only");
        Assert.Equal(ChangeTypes.All.Count, train.Select(p => p.TypeIndex).Distinct().Count());
    }

    [Fact]
    public void Generate_SameSeed_GivesSameExamples()
    {
        var a = SyntheticDataset.Generate(8, 12, TestContext.Current.CancellationToken);
        var b = SyntheticDataset.Generate(8, 12, TestContext.Current.CancellationToken);

        Assert.Equal(a.Select(p => p.Features), b.Select(p => p.Features));
        Assert.Contains(a, p => p.Label);
        Assert.Contains(a, p => !p.Label);
    }

    [Fact]
    public void ChooseThreshold_SeparableScores_ReachesPerfectF1()
    {
        double[] scores = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9];
        bool[] labels = [false, false, false, true, true, true];

        var t = BinaryMetrics.ChooseThreshold(scores, labels, 0.9);
        var m = BinaryMetrics.Compute(scores, labels, t);

        Assert.Equal(1.0, m.F1);
        Assert.Equal(1.0, m.Auc);
    }
}
