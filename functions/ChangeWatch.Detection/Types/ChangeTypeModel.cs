using System.Security.Cryptography;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using ChangeWatch.Core.Imaging;
using Microsoft.ML.Data;

namespace ChangeWatch.Detection;

/// <summary>
/// The trained change-type model (<see cref="ModelManifest.Kind"/> <see cref="ModelManifest.TypeKind"/>): an ML.NET
/// multiclass model that reads a flagged tile pair as one of <see cref="ChangeTypes.All"/>, on either the
/// <see cref="TilePairFeatures"/> alone (types-v1 to types-v3) or the <see cref="ChangeTypeFeatures"/> (the tile-pair
/// features and the extra type features; from types-v4). Loads <c>{modelDirectory}/{version}/model.zip</c> and
/// <c>model.json</c>, checks the feature list and the class list against the code's. Thread-safe: prediction engines are pooled.
/// </summary>
public sealed class ChangeTypeModel
{
    private readonly ObjectPool<Engine> _engines;

    /// <summary>Loads type model <paramref name="version"/> from <paramref name="modelDirectory"/>.</summary>
    /// <exception cref="FileNotFoundException">model.zip or model.json is missing.</exception>
    /// <exception cref="InvalidDataException">The manifest is not a type model for this code's features and classes, or model.zip's SHA-256 differs from the one the manifest records.</exception>
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

        if (Manifest.FeatureNames.SequenceEqual(ChangeTypeFeatures.Names, StringComparer.Ordinal))
        {
            UsesExtraFeatures = true;
        }
        else if (!Manifest.FeatureNames.SequenceEqual(TilePairFeatures.Names, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"Type model {jsonPath} was trained on other features than this code computes; retrain it.");
        }

        FeatureCount = UsesExtraFeatures ? ChangeTypeFeatures.Count : TilePairFeatures.Count;

        if (Manifest.Classes is not { } classes || !classes.SequenceEqual(ChangeTypes.All, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"Type model {jsonPath} lists classes [{string.Join(", ", Manifest.Classes ?? [])}], the code expects [{string.Join(", ", ChangeTypes.All)}].");
        }

        var bytes = File.ReadAllBytes(zipPath);
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (Manifest.ModelSha256 is { } expected && !string.Equals(expected, Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"Type model {version}: model.zip has SHA-256 {Sha256}, its model.json records {expected}.");
        }
        var context = new MLContext(seed: 0);
        ITransformer transformer;
        using (var stream = new MemoryStream(bytes, writable: false))
        {
            transformer = context.Model.Load(stream, out _);
        }

        var schema = ChangeTypeRow.Schema(FeatureCount);
        _engines = new DefaultObjectPool<Engine>(new EnginePolicy(context, transformer, schema, FeatureCount), Math.Max(2, Environment.ProcessorCount * 2));
    }

    /// <summary>True when the model reads the <see cref="ChangeTypeFeatures"/> (tile-pair plus extra features), false when it reads the tile-pair features alone.</summary>
    public bool UsesExtraFeatures { get; }

    /// <summary>Length of the feature vector the model reads: <see cref="ChangeTypeFeatures.Count"/> or <see cref="TilePairFeatures.Count"/>.</summary>
    public int FeatureCount { get; }

    /// <summary>The model's manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>SHA-256 of model.zip (lower-case hex).</summary>
    public string Sha256 { get; }

    /// <summary>The change-type label (one of <see cref="ChangeTypes.All"/>) for a feature vector of <see cref="FeatureCount"/> values.</summary>
    /// <exception cref="ArgumentException">The span does not hold <see cref="FeatureCount"/> values.</exception>
    public string Classify(ReadOnlySpan<float> features)
    {
        if (features.Length != FeatureCount)
        {
            throw new ArgumentException($"The feature span must hold {FeatureCount} values.", nameof(features));
        }

        var engine = _engines.Get();
        try
        {
            features.CopyTo(engine.Row.Features);
            return engine.Predict();
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    /// <summary>
    /// The change-type label (one of <see cref="ChangeTypes.All"/>) of a tile pair whose <see cref="TilePairFeatures"/> are
    /// already computed: the extra type features are computed from the rasters when the model reads them.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tileFeatures"/> does not hold <see cref="TilePairFeatures.Count"/> values, or the rasters differ in size or bands.</exception>
    public string Classify(TileRaster before, TileRaster after, ReadOnlySpan<float> tileFeatures)
    {
        if (tileFeatures.Length != TilePairFeatures.Count)
        {
            throw new ArgumentException($"The feature span must hold {TilePairFeatures.Count} values.", nameof(tileFeatures));
        }

        var engine = _engines.Get();
        try
        {
            tileFeatures.CopyTo(engine.Row.Features);
            if (UsesExtraFeatures)
            {
                ChangeTypeFeatures.ComputeExtras(before, after, engine.Row.Features.AsSpan(TilePairFeatures.Count));
            }

            return engine.Predict();
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    private sealed class Engine(PredictionEngine<ChangeTypeRow, ChangeTypePrediction> engine, int featureCount)
    {
        private ChangeTypePrediction _output = new();

        public ChangeTypeRow Row { get; } = new() { Features = new float[featureCount] };

        public string Predict()
        {
            engine.Predict(Row, ref _output);
            var label = _output.PredictedType;
            return ChangeTypes.IndexOf(label) >= 0 ? label : ChangeTypes.Other;
        }
    }

    private sealed class EnginePolicy(MLContext context, ITransformer transformer, SchemaDefinition schema, int featureCount) : PooledObjectPolicy<Engine>
    {
        public override Engine Create() => new(context.Model.CreatePredictionEngine<ChangeTypeRow, ChangeTypePrediction>(transformer, inputSchemaDefinition: schema), featureCount);

        public override bool Return(Engine obj) => true;
    }
}
