using ChangeWatch.Detection;
using ChangeWatch.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;

namespace ChangeWatch.Training.Modelling;

/// <summary>
/// Trains the change-type model: one-versus-all FastTree binary classifiers (single-threaded and seeded, so the same
/// data gives the same model bytes' predictions) over <see cref="ChangeTypeFeatures"/>, classes <see cref="ChangeTypes.All"/>.
/// </summary>
internal sealed class TypeModelTrainer(int seed, TreeSettings settings)
{
    private readonly MLContext _context = new(seed);

    public ITransformer Train(IReadOnlyList<TypedPair> train)
    {
        var options = settings.BinaryOptions(seed);
        options.FeatureFirstUsePenalty = 0;
        options.Shrinkage = 1;
        var binary = _context.BinaryClassification.Trainers.FastTree(options);
        // Keys in the fixed class order of ChangeTypes.All, so the model's class indices never depend on the data's order.
        var keys = _context.Data.LoadFromEnumerable(ChangeTypes.All.Select(t => new KeyRow { Type = t }).ToList());
        var pipeline = _context.Transforms.Conversion.MapValueToKey("Label", nameof(ChangeTypeRow.Type), keyData: keys)
            .Append(_context.MulticlassClassification.Trainers.OneVersusAll(binary))
            .Append(_context.Transforms.Conversion.MapKeyToValue(nameof(ChangeTypePrediction.PredictedType), "PredictedLabel"));
        return pipeline.Fit(ToDataView(train));
    }

    /// <summary>Predicted class indices (into <see cref="ChangeTypes.All"/>).</summary>
    public IReadOnlyList<int> Predict(ITransformer model, IReadOnlyList<TypedPair> pairs)
    {
        var scored = model.Transform(ToDataView(pairs));
        return [.. _context.Data.CreateEnumerable<ChangeTypePrediction>(scored, reuseRowObject: false).Select(p => ChangeTypes.IndexOf(p.PredictedType))];
    }

    public void Save(ITransformer model, string path)
    {
        using var stream = File.Create(path);
        _context.Model.Save(model, ToDataView([]).Schema, stream);
    }

    private IDataView ToDataView(IReadOnlyList<TypedPair> pairs) =>
        _context.Data.LoadFromEnumerable(
            pairs.Select(p => new ChangeTypeRow { Features = p.Features, Type = ChangeTypes.All[p.TypeIndex] }).ToList(),
            ChangeTypeRow.Schema(ChangeTypeFeatures.Count));

    private sealed class KeyRow
    {
        public string Type { get; set; } = string.Empty;
    }
}
