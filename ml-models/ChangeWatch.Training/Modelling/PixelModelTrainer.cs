using ChangeWatch.Detection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace ChangeWatch.Training.Modelling;

/// <summary>Settings of the pixel model's FastTree trainer: few shallow trees keep scoring fast.</summary>
internal sealed record PixelTreeSettings(int Trees = 60, int Leaves = 31, int MinExamplesPerLeaf = 50, double LearningRate = 0.2);

/// <summary>
/// Trains the pixel model: FastTree binary classification over <see cref="PixelSamples"/> rows (an IDataView built from
/// them), seeded and single-threaded so the same rows give the same trees. The default FastTree Platt calibration is
/// kept; the decision threshold is chosen separately on validation sites.
/// </summary>
internal sealed class PixelModelTrainer(PixelTreeSettings settings, int seed = 1)
{
    private readonly MLContext _context = new(seed);

    public MLContext Context => _context;

    public ITransformer Train(IEnumerable<PixelSamples> samples)
    {
        var data = ToDataView(samples);
        var options = new TreeSettings(settings.Trees, settings.Leaves, settings.MinExamplesPerLeaf, settings.LearningRate).BinaryOptions(seed);
        options.LabelColumnName = nameof(PixelRow.Label);
        options.FeatureColumnName = nameof(PixelRow.Features);
        var trainer = _context.BinaryClassification.Trainers.FastTree(options);
        return trainer.Fit(data);
    }

    public void Save(ITransformer model, string path)
    {
        using var stream = File.Create(path);
        _context.Model.Save(model, ToDataView([]).Schema, stream);
    }

    private IDataView ToDataView(IEnumerable<PixelSamples> samples)
    {
        var rows = new List<PixelRow>();
        foreach (var s in samples)
        {
            for (var r = 0; r < s.Count; r++)
            {
                rows.Add(new PixelRow { Features = s.Features.AsSpan(r * PixelFeatures.Count, PixelFeatures.Count).ToArray(), Label = s.Labels[r] });
            }
        }

        return _context.Data.LoadFromEnumerable(rows);
    }

    /// <summary>One training row.</summary>
    public sealed class PixelRow
    {
        [VectorType(PixelFeatures.Count)]
        public float[] Features { get; set; } = new float[PixelFeatures.Count];

        public bool Label { get; set; }
    }
}
