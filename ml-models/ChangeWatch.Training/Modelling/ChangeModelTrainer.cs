using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace ChangeWatch.Training.Modelling;

/// <summary>Settings of the FastTree binary trainer.</summary>
internal sealed record TreeSettings(int Trees = 100, int Leaves = 15, int MinExamplesPerLeaf = 10, double LearningRate = 0.1)
{
    /// <summary>FastTree binary options for these settings, single-threaded and seeded so the same data gives the same trees.</summary>
    public FastTreeBinaryTrainer.Options BinaryOptions(int seed) => new()
    {
        NumberOfTrees = Trees,
        NumberOfLeaves = Leaves,
        MinimumExampleCountPerLeaf = MinExamplesPerLeaf,
        LearningRate = LearningRate,
        NumberOfThreads = 1,
        Seed = seed,
    };
}

/// <summary>
/// Trains the change model: FastTree binary classification (single-threaded and seeded, so the same data gives the
/// same trees), then Platt calibration of its raw score fitted on a held-out calibration set. The saved model maps a
/// <see cref="ChangeFeatureRow"/> to a <see cref="ChangePrediction"/> whose Probability is the calibrated one.
/// </summary>
internal sealed class ChangeModelTrainer(int seed, TreeSettings settings)
{
    private readonly MLContext _context = new(seed);

    public MLContext Context => _context;

    public ITransformer Train(IReadOnlyList<LabelledPair> train, IReadOnlyList<LabelledPair> calibration)
    {
        var trainData = ToDataView(train);
        var options = settings.BinaryOptions(seed);
        options.LabelColumnName = nameof(ChangeFeatureRow.Label);
        options.FeatureColumnName = nameof(ChangeFeatureRow.Features);
        options.FeatureFirstUsePenalty = 0;
        options.Shrinkage = 1;
        var trainer = _context.BinaryClassification.Trainers.FastTree(options);
        var trees = trainer.Fit(trainData);
        var calibrationScored = trees.Transform(ToDataView(calibration));
        var platt = _context.BinaryClassification.Calibrators
            .Platt(labelColumnName: nameof(ChangeFeatureRow.Label), scoreColumnName: nameof(ChangePrediction.Score))
            .Fit(calibrationScored);
        return new TransformerChain<ITransformer>(trees, platt);
    }

    public IReadOnlyList<double> Score(ITransformer model, IReadOnlyList<LabelledPair> pairs)
    {
        var scored = model.Transform(ToDataView(pairs));
        return [.. _context.Data.CreateEnumerable<ChangePrediction>(scored, reuseRowObject: false).Select(p => (double)p.Probability)];
    }

    public void Save(ITransformer model, string path)
    {
        using var stream = File.Create(path);
        _context.Model.Save(model, ToDataView([]).Schema, stream);
    }

    private IDataView ToDataView(IReadOnlyList<LabelledPair> pairs) =>
        _context.Data.LoadFromEnumerable(pairs.Select(p => new ChangeFeatureRow { Features = p.Features, Label = p.Label }).ToList());
}
