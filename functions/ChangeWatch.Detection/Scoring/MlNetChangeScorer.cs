using System.Buffers;
using System.Security.Cryptography;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ChangeWatch.Detection;

/// <summary>
/// <see cref="IChangeScorer"/> on an ML.NET model trained by <c>ml-models/ChangeWatch.Training</c>. Loads
/// <c>{modelDirectory}/{version}/model.zip</c> and <c>model.json</c>, checks that the model's feature list is the
/// code's, and identifies the model by the SHA-256 of <c>model.zip</c>. Per tile: computes
/// <see cref="TilePairFeatures"/>, the calibrated probability, flags when probability ≥ threshold and the tile is
/// assessable (masked fraction ≤ the maximum), derives the change mask only for flagged tiles, and types the change
/// with the change-type model the manifest names (<see cref="ModelManifest.TypeModel"/>, a sibling folder; without one,
/// <see cref="ChangeTypeRule"/>). On flagged tiles it also counts vehicles and equipment in the tile's core on both
/// dates (<see cref="ObjectCounter"/>, at the GSD of the tiles' georeferencing; <see cref="TileAssessment.Objects"/> stays
/// null, "not measured", on unflagged tiles, without georeferencing, or coarser than
/// <see cref="ObjectCounter.MaxGroundSampleDistance"/>).
/// The pair is first prepared by <see cref="TilePairPreparation"/> (the after tile co-registered to the before tile,
/// clouds and cloud shadows masked); the shift applied, the co-registration record and the mask summary are reported.
/// Thread-safe: prediction engines are pooled, one per concurrent caller.
/// </summary>
public sealed class MlNetChangeScorer : IChangeScorer
{
    /// <summary>Default context on each side of a tile's core, pixels: half the pipeline's default tile overlap (32).</summary>
    public const int DefaultCoreMargin = 16;

    private readonly ObjectPool<Engine> _engines;
    private readonly double _maxMaskedFraction;
    private readonly int _coreMargin;
    private readonly bool _countObjects;

    /// <summary>Loads model <paramref name="version"/> from <paramref name="modelDirectory"/>.</summary>
    /// <param name="modelDirectory">Folder holding one sub-folder per model version.</param>
    /// <param name="version">Model version folder, e.g. "v1".</param>
    /// <param name="thresholdOverride">Flag threshold (0-1) to use instead of the model's own; null keeps the model's.</param>
    /// <param name="maxMaskedFraction">A tile with a larger masked fraction (of the pixels an image covers, <see cref="TileAssessability"/>) is not assessable (0-1).</param>
    /// <param name="coreMargin">Context on each side of a tile's core, pixels (half the grid overlap): objects are counted in the core only.</param>
    /// <exception cref="FileNotFoundException">model.zip or model.json (or those of the type model it names) is missing.</exception>
    /// <exception cref="InvalidDataException">The manifest's feature list differs from the code's, or the model's input is not the expected vector.</exception>
    public MlNetChangeScorer(string modelDirectory, string version, double? thresholdOverride = null, double maxMaskedFraction = 0.5, int coreMargin = DefaultCoreMargin)
        : this(modelDirectory, version, thresholdOverride, maxMaskedFraction, coreMargin, countObjects: true)
    {
    }

    /// <summary>As the public constructor; <paramref name="countObjects"/> false leaves object counting to the caller (a cascade that flags on its own).</summary>
    internal MlNetChangeScorer(string modelDirectory, string version, double? thresholdOverride, double maxMaskedFraction, int coreMargin, bool countObjects)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(coreMargin);
        _coreMargin = coreMargin;
        _countObjects = countObjects;
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (thresholdOverride is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(thresholdOverride), thresholdOverride, "The threshold is a probability, 0-1.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxMaskedFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMaskedFraction, 1.0);
        var folder = Path.Combine(modelDirectory, version);
        var zipPath = Path.Combine(folder, "model.zip");
        var jsonPath = Path.Combine(folder, "model.json");
        if (!File.Exists(zipPath))
        {
            throw new FileNotFoundException($"Model file {zipPath} not found (model directory {modelDirectory}, version {version}).", zipPath);
        }

        if (!File.Exists(jsonPath))
        {
            throw new FileNotFoundException($"Model manifest {jsonPath} not found beside the model.", jsonPath);
        }

        Manifest = ModelManifest.Read(jsonPath);
        VerifyFeatureNames(Manifest.FeatureNames, jsonPath);
        byte[] bytes = File.ReadAllBytes(zipPath);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var context = new MLContext(seed: 0);
        ITransformer transformer;
        using (var stream = new MemoryStream(bytes, writable: false))
        {
            transformer = context.Model.Load(stream, out var inputSchema);
            var column = inputSchema.GetColumnOrNull(nameof(ChangeFeatureRow.Features));
            if (column is not { Type: VectorDataViewType { Size: TilePairFeatures.Count } })
            {
                throw new InvalidDataException($"Model {zipPath} does not take a '{nameof(ChangeFeatureRow.Features)}' vector of {TilePairFeatures.Count} floats.");
            }
        }

        _maxMaskedFraction = maxMaskedFraction;
        TypeModel = Manifest.TypeModel is { Length: > 0 } typeVersion ? new ChangeTypeModel(modelDirectory, typeVersion) : null;
        var model = new ModelInfo(Manifest.Version, sha, thresholdOverride ?? Manifest.Threshold)
        {
            TypeModelVersion = TypeModel?.Manifest.Version,
            TypeModelSha256 = TypeModel?.Sha256,
        };
        Model = countObjects ? VehicleCountModel.Shipped.CountingWith(model) : model;
        _engines = new DefaultObjectPool<Engine>(new EnginePolicy(context, transformer), Math.Max(2, Environment.ProcessorCount * 2));
    }

    /// <inheritdoc />
    public ModelInfo Model { get; }

    /// <summary>The loaded model's manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The change-type model named by the manifest, or null (types then come from <see cref="ChangeTypeRule"/>).</summary>
    public ChangeTypeModel? TypeModel { get; }

    /// <inheritdoc />
    public TileAssessment Assess(TileRaster before, TileRaster after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        cancellationToken.ThrowIfCancellationRequested();
        return Assess(TilePairPreparation.Prepare(before, after), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The tile model normalises each tile on its own whatever the statistics: it was trained that way (on synthetic
    /// tiles), and scene statistics would shift its features away from what it learnt.
    /// </remarks>
    public TileAssessment Assess(TileRaster before, TileRaster after, ScenePairStatistics statistics, CancellationToken cancellationToken) =>
        Assess(before, after, cancellationToken);

    /// <summary>Assesses an already prepared pair (what <see cref="Assess(TileRaster, TileRaster, CancellationToken)"/> does after preparing it).</summary>
    internal TileAssessment Assess(PreparedTilePair pair, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (before, after) = (pair.Before, pair.After);
        var n = before.Width * before.Height;
        var scoreMap = ArrayPool<float>.Shared.Rent(n);
        var engine = _engines.Get();
        try
        {
            var features = engine.Row.Features;
            // The model's masked-fraction feature is over the whole window (as it was trained); whether the tile can be
            // judged is over the part an image covers (TileAssessability), so a tile reaching past the scene is judged.
            var windowMasked = TilePairFeatures.Compute(before, after, features, scoreMap.AsSpan(0, n));
            cancellationToken.ThrowIfCancellationRequested();
            var coverage = TileAssessability.Judge(n, pair.CoveredPixels, (int)Math.Round((1.0 - windowMasked) * n), _maxMaskedFraction);
            var (assessable, masked) = (coverage.Assessable, coverage.MaskedFraction);
            var probability = assessable ? engine.Predict() : 0.0;
            var flagged = assessable && probability >= Model.Threshold;
            var mask = flagged ? ChangeMask.Derive(scoreMap.AsSpan(0, n), before.Width, before.Height) : null;
            var type = !flagged ? ChangeTypeRule.Unclassified : TypeModel is { } typeModel ? typeModel.Classify(before, after, features) : ChangeTypeRule.Classify(features);
            return new TileAssessment(probability, flagged, assessable, masked, pair.AppliedShiftX, pair.AppliedShiftY, type, mask)
            {
                Objects = flagged && _countObjects ? CountObjects(before, after) : null,
                Registration = pair.Registration,
                Masks = pair.Masks,
                CoveredFraction = coverage.CoveredFraction,
            };
        }
        finally
        {
            _engines.Return(engine);
            ArrayPool<float>.Shared.Return(scoreMap);
        }
    }

    /// <summary>
    /// Vehicles and equipment in the tile's core on both dates (<see cref="ObjectCounter"/>), at the GSD of
    /// <paramref name="before"/>'s georeferencing; null when it is unknown or too coarse.
    /// </summary>
    public ObjectCounts? CountObjects(TileRaster before, TileRaster after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var gsd = GroundSampleDistance.OfTilePair(before, after);
        return ObjectCounter.Count(before, after, gsd, _coreMargin);
    }

    /// <summary>The calibrated probability for an already computed feature vector (for evaluation tools).</summary>
    public double Predict(ReadOnlySpan<float> features)
    {
        if (features.Length != TilePairFeatures.Count)
        {
            throw new ArgumentException($"The feature span must hold {TilePairFeatures.Count} values.", nameof(features));
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

    private static void VerifyFeatureNames(IReadOnlyList<string> modelNames, string path)
    {
        var codeNames = TilePairFeatures.Names;
        for (var i = 0; i < Math.Max(modelNames.Count, codeNames.Count); i++)
        {
            var m = i < modelNames.Count ? modelNames[i] : "(none)";
            var c = i < codeNames.Count ? codeNames[i] : "(none)";
            if (!string.Equals(m, c, StringComparison.Ordinal))
            {
                throw new InvalidDataException(
                    $"Model manifest {path} lists {modelNames.Count} features, the code computes {codeNames.Count}; they first differ at position {i}: " +
                    $"model '{m}', code '{c}'. Retrain the model for this code version or load the model version this code was built for.");
            }
        }
    }

    /// <summary>A prediction engine with its reusable input and output rows (engines are not thread-safe).</summary>
    private sealed class Engine(PredictionEngine<ChangeFeatureRow, ChangePrediction> engine)
    {
        private ChangePrediction _output = new();

        public ChangeFeatureRow Row { get; } = new();

        public double Predict()
        {
            engine.Predict(Row, ref _output);
            var p = _output.Probability;
            return float.IsFinite(p) ? Math.Clamp(p, 0f, 1f) : 0.0;
        }
    }

    private sealed class EnginePolicy(MLContext context, ITransformer transformer) : PooledObjectPolicy<Engine>
    {
        public override Engine Create() =>
            new(context.Model.CreatePredictionEngine<ChangeFeatureRow, ChangePrediction>(transformer));

        public override bool Return(Engine obj) => true;
    }
}
