using System.Security.Cryptography;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ChangeWatch.Detection;

/// <summary>
/// The trained change-type model (<see cref="ModelManifest.Kind"/> <see cref="ModelManifest.TypeKind"/>): an ML.NET
/// multiclass model on <see cref="TilePairFeatures"/> that reads a flagged tile pair as one of <see cref="ChangeTypes.All"/>.
/// Loads <c>{modelDirectory}/{version}/model.zip</c> and <c>model.json</c>, checks the feature list and the class list
/// against the code's. Thread-safe: prediction engines are pooled.
/// </summary>
public sealed class ChangeTypeModel
{
    private readonly ObjectPool<Engine> _engines;

    /// <summary>Loads type model <paramref name="version"/> from <paramref name="modelDirectory"/>.</summary>
    /// <exception cref="FileNotFoundException">model.zip or model.json is missing.</exception>
    /// <exception cref="InvalidDataException">The manifest is not a type model for this code's features and classes.</exception>
    public ChangeTypeModel(string modelDirectory, string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var folder = Path.Combine(modelDirectory, version);
        var zipPath = Path.Combine(folder, "model.zip");
        var jsonPath = Path.Combine(folder, "model.json");
        if (!File.Exists(zipPath) || !File.Exists(jsonPath))
        {
            throw new FileNotFoundException($"Type model {version}: model.zip or model.json not found in {folder}.", zipPath);
        }

        Manifest = ModelManifest.Read(jsonPath);
        if (!string.Equals(Manifest.Kind, ModelManifest.TypeKind, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{jsonPath} is not a change-type model (kind '{Manifest.Kind}', expected '{ModelManifest.TypeKind}').");
        }

        if (!Manifest.FeatureNames.SequenceEqual(TilePairFeatures.Names, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"Type model {jsonPath} was trained on other features than this code computes; retrain it.");
        }

        if (Manifest.Classes is not { } classes || !classes.SequenceEqual(ChangeTypes.All, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"Type model {jsonPath} lists classes [{string.Join(", ", Manifest.Classes ?? [])}], the code expects [{string.Join(", ", ChangeTypes.All)}].");
        }

        var bytes = File.ReadAllBytes(zipPath);
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var context = new MLContext(seed: 0);
        ITransformer transformer;
        using (var stream = new MemoryStream(bytes, writable: false))
        {
            transformer = context.Model.Load(stream, out _);
        }

        _engines = new DefaultObjectPool<Engine>(new EnginePolicy(context, transformer), Math.Max(2, Environment.ProcessorCount * 2));
    }

    /// <summary>The model's manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>SHA-256 of model.zip (lower-case hex).</summary>
    public string Sha256 { get; }

    /// <summary>The change-type label (one of <see cref="ChangeTypes.All"/>) for a feature vector of <see cref="TilePairFeatures.Count"/> values.</summary>
    public string Classify(ReadOnlySpan<float> features)
    {
        if (features.Length != TilePairFeatures.Count)
        {
            throw new ArgumentException($"The feature span must hold {TilePairFeatures.Count} values.", nameof(features));
        }

        var engine = _engines.Get();
        try
        {
            features.CopyTo(engine.Row.Features);
            var label = engine.Predict();
            return ChangeTypes.IndexOf(label) >= 0 ? label : ChangeTypes.Other;
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    private sealed class Engine(PredictionEngine<ChangeTypeRow, ChangeTypePrediction> engine)
    {
        private ChangeTypePrediction _output = new();

        public ChangeTypeRow Row { get; } = new();

        public string Predict()
        {
            engine.Predict(Row, ref _output);
            return _output.PredictedType;
        }
    }

    private sealed class EnginePolicy(MLContext context, ITransformer transformer) : PooledObjectPolicy<Engine>
    {
        public override Engine Create() => new(context.Model.CreatePredictionEngine<ChangeTypeRow, ChangeTypePrediction>(transformer));

        public override bool Return(Engine obj) => true;
    }
}
