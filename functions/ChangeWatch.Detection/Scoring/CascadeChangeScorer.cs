using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Detection;

/// <summary>
/// <see cref="IChangeScorer"/> for a pixel model (<see cref="ModelManifest.Kind"/> "pixel"), run as a cascade of steps
/// (<see cref="ScoringStep"/>): <b>preparation</b> (<see cref="TilePairPreparation"/>: the after tile co-registered to
/// the before tile, clouds and cloud shadows masked; which pixels hold data in both dates; a tile whose masked fraction
/// exceeds the maximum is not assessable); every later step sees the prepared pair; the <b>gate</b> (the tile-level model named in the manifest,
/// <see cref="ModelManifest.CascadeTileModel"/>, decides whether the pixel model looks at the tile when
/// <see cref="ModelManifest.CascadeTileThreshold"/> is above 0; at 0 every assessable tile passes and the tile model
/// is not run); the <b>pixel model</b> (<see cref="PixelChangeModel"/>: features, ensemble, smoothing); the <b>mask</b>
/// (smoothed probability ≥ the pixel threshold for the tile's ground sample distance, <see cref="PixelChangeModel.ThresholdFor"/>; regions under <see cref="ChangeMask.DefaultMinRegionPixels"/> px
/// dropped; the tile is flagged when the mask holds at least <see cref="MinFlaggedPixels"/> pixels; its probability is
/// the 99th percentile of the box-smoothed pixel probability, the evidence map of
/// <see cref="PixelChangeModel.Score(TileRaster, TileRaster, Span{float}, Span{float}, ScenePairStatistics?, ScoringStepTimes?)"/>); <b>object evidence</b> when the manifest has a rule
/// (<see cref="ObjectEvidence"/>: a tile the mask leaves unflagged is flagged where vehicles gather in it and the tile
/// model agrees, its mask then the arrived vehicles, its probability the tile model's and its type object build-up); the change <b>type</b> of flagged tiles only
/// (<see cref="ChangeTypeRule"/> on the <see cref="TilePairFeatures"/>); and the <b>objects</b> counted in flagged tiles.
/// The pixel model normalises each date by its scene's statistics when the pipeline gives them
/// (<see cref="Assess(TileRaster, TileRaster, ScenePairStatistics, CancellationToken)"/>), as it was trained (one whole
/// image at a time), and each tile (with its context) on its own otherwise. Records
/// the pixel model's version and SHA-256. Thread-safe.
/// </summary>
public sealed class CascadeChangeScorer : IChangeScorer
{
    /// <summary>Changed pixels a mask needs for the tile to be flagged (the size of the smallest changed blob that marks a 64-px cell changed).</summary>
    public const int MinFlaggedPixels = 64;

    private readonly MlNetChangeScorer _tileScorer;
    private readonly MlNetChangeScorer? _evidenceScorer;
    private readonly ObjectEvidence? _evidence;
    private readonly int _coreMargin;
    private readonly PixelChangeModel _pixels;
    private readonly double _gate;
    private readonly double _maxMaskedFraction;
    private readonly ModelInfo _model;
    private readonly ModelInfo _countingModel;

    /// <summary>Loads pixel model <paramref name="version"/> and its gating tile model from <paramref name="modelDirectory"/>.</summary>
    /// <param name="modelDirectory">Folder holding one sub-folder per model version.</param>
    /// <param name="version">The pixel model's version folder, e.g. "v2".</param>
    /// <param name="thresholdOverride">Pixel threshold (0-1) instead of the model's own; null keeps the model's.</param>
    /// <param name="maxMaskedFraction">A tile with a larger masked fraction (of the pixels an image covers, <see cref="TileAssessability"/>) is not assessable (0-1).</param>
    /// <param name="strideOverride">Grid step of the pixel model (1-4) instead of the model's own; null keeps the model's.</param>
    /// <param name="gateOverride">Coarse-pass gate of the pixel model (0-1, 0 = none) instead of the model's own; null keeps the model's.</param>
    /// <param name="coreMargin">Context on each side of a tile's core, pixels (half the grid overlap): objects are counted in the core of flagged tiles.</param>
    /// <exception cref="FileNotFoundException">A model file is missing.</exception>
    /// <exception cref="InvalidDataException">The folder is not a pixel model or its feature list differs from the code's.</exception>
    public CascadeChangeScorer(string modelDirectory, string version, double? thresholdOverride = null, double maxMaskedFraction = 0.5, int? strideOverride = null, int coreMargin = MlNetChangeScorer.DefaultCoreMargin, double? gateOverride = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentOutOfRangeException.ThrowIfNegative(maxMaskedFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMaskedFraction, 1.0);
        var loaded = PixelModelFile.Load(Path.Combine(modelDirectory, version), out var manifest, out var sha);
        // A threshold override applies at every resolution and to every expert; otherwise the model's thresholds stay.
        _pixels = loaded.With(thresholdOverride, strideOverride, gateOverride);
        _gate = manifest.CascadeTileThreshold ?? 0.0;
        _maxMaskedFraction = maxMaskedFraction;
        // Without a gate the tile model keeps its own threshold (only its type model and, with object evidence, its flag are used).
        _tileScorer = new MlNetChangeScorer(modelDirectory, manifest.CascadeTileModel ?? "v1", _gate > 0 ? _gate : null, maxMaskedFraction, coreMargin, countObjects: false);
        _coreMargin = coreMargin;
        _evidence = manifest.ObjectEvidence;

        // Object evidence asks the tile model at its own threshold: the same instance unless a gate overrides it.
        _evidenceScorer = _evidence is null ? null
            : _gate > 0 ? new MlNetChangeScorer(modelDirectory, manifest.CascadeTileModel ?? "v1", null, maxMaskedFraction, coreMargin, countObjects: false)
            : _tileScorer;
        Manifest = manifest;
        _model = new ModelInfo(manifest.Version, sha, _pixels.Threshold)
        {
            TypeModelVersion = _tileScorer.Model.TypeModelVersion,
            TypeModelSha256 = _tileScorer.Model.TypeModelSha256,
        };
        _countingModel = VehicleCountModel.Shipped.CountingWith(_model);
    }

    /// <inheritdoc />
    /// <remarks>Names the vehicle count model only while <see cref="CountObjects"/> is set: a scorer that counts nothing records none.</remarks>
    public ModelInfo Model => CountObjects ? _countingModel : _model;

    /// <inheritdoc />
    /// <remarks>The pixel model's threshold for that resolution: its expert's, its band's, or the default (<see cref="PixelChangeModel.ThresholdFor"/>).</remarks>
    public double ThresholdFor(double? groundSampleDistance) => _pixels.ThresholdFor(groundSampleDistance);

    /// <inheritdoc />
    public bool AdaptiveThresholdAt(double? groundSampleDistance) => _pixels.IsAdaptiveAt(groundSampleDistance);

    /// <summary>The pixel model's manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The pixel model the cascade runs on tiles that pass the gate.</summary>
    public PixelChangeModel PixelModel => _pixels;

    /// <summary>When set, receives the time each step takes (for benchmarks); null records nothing.</summary>
    public ScoringStepTimes? Times { get; init; }

    /// <summary>
    /// Whether flagged tiles get a change type (<see cref="ChangeTypeRule"/>, which needs the tile features: about as
    /// costly as the pixel model at stride 2). False leaves them <see cref="ChangeTypeRule.Unclassified"/>,
    /// for callers that type changes elsewhere. Default true.
    /// </summary>
    public bool ClassifyChangeType { get; init; } = true;

    /// <summary>
    /// Whether flagged tiles get object counts (<see cref="MlNetChangeScorer.CountObjects"/>, at a ground sample distance
    /// of 1.5 m or finer). False leaves <see cref="TileAssessment.Objects"/> null (not measured), for callers that only
    /// need the change mask. Default true.
    /// </summary>
    public bool CountObjects { get; init; } = true;

    /// <inheritdoc />
    public TileAssessment Assess(TileRaster before, TileRaster after, CancellationToken cancellationToken) =>
        Assess(before, after, ScenePairStatistics.None, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// A <see cref="PairRasterSampler"/> that prepares each tile pair as <see cref="Assess(TileRaster, TileRaster, ScenePairStatistics, CancellationToken)"/>
    /// does, so the pixel model's raster-level values are measured on what it scores.
    /// </remarks>
    public IPairRasterSampler? CreatePairRasterSampler(ScenePairStatistics statistics, long pixels) =>
        PairRasterSampler.Create(statistics, pixels, prepare: true);

    /// <inheritdoc />
    /// <remarks>The pixel model normalises each date by its scene's statistics where given (as it was trained, one whole image at a time); the gate and type (tile model) per tile.</remarks>
    public TileAssessment Assess(TileRaster before, TileRaster after, ScenePairStatistics statistics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(statistics);
        cancellationToken.ThrowIfCancellationRequested();
        var clock = Stopwatch.GetTimestamp();
        var n = before.Width * before.Height;

        // Preparation.
        var pair = TilePairPreparation.Prepare(before, after, statistics);
        (before, after) = (pair.Before, pair.After);
        var coverage = TileAssessability.Judge(n, pair.CoveredPixels, DateNormalisation.CountValid(before, after), _maxMaskedFraction);
        var masked = coverage.MaskedFraction;
        clock = Times?.Record(ScoringStep.Preparation, clock) ?? clock;
        if (!coverage.Assessable)
        {
            return new TileAssessment(0, false, false, masked, pair.AppliedShiftX, pair.AppliedShiftY, ChangeTypeRule.Unclassified, null)
            {
                Registration = pair.Registration,
                Masks = pair.Masks,
                CoveredFraction = coverage.CoveredFraction,
            };
        }

        // Gate.
        if (_gate > 0)
        {
            var tile = _tileScorer.Assess(pair, cancellationToken);
            clock = Times?.Record(ScoringStep.Gate, clock) ?? clock;
            if (tile.Probability < _gate)
            {
                return tile with { Flagged = false, ChangeMask = null, ChangeType = ChangeTypeRule.Unclassified };
            }
        }

        // Pixel model, then the mask.
        cancellationToken.ThrowIfCancellationRequested();
        var probability = ArrayPool<float>.Shared.Rent(n);
        var evidenceMap = ArrayPool<float>.Shared.Rent(n);
        var ints = ArrayPool<int>.Shared.Rent(2 * n);
        try
        {
            // The mask from the model's smoothing, the tile's probability from the box-smoothed evidence (PixelChangeModel.Score).
            var validPixels = _pixels.Score(before, after, probability, evidenceMap.AsSpan(0, n), pair.Statistics, Times);
            clock = Stopwatch.GetTimestamp();
            var mask = new byte[n];
            var gsd = GroundSampleDistance.OfTilePair(before, after);
            var threshold = (float)_pixels.TileThreshold(probability.AsSpan(0, n), gsd);
            for (var i = 0; i < n; i++)
            {
                mask[i] = probability[i] >= threshold ? (byte)1 : (byte)0;
            }

            BlobCounter.RemoveSmall(mask, before.Width, before.Height, ChangeMask.DefaultMinRegionPixels, ints.AsSpan(0, n), ints.AsSpan(n, n));
            var changed = mask.AsSpan().Count((byte)1);
            var p99 = ProbabilityQuantile(evidenceMap.AsSpan(0, n), ValidQuantileRank(n, validPixels, 0.99), ints.AsSpan(0, n));
            var flagged = changed >= MinFlaggedPixels;
            var byEvidence = false;
            double tileProbability = p99;
            clock = Times?.Record(ScoringStep.Mask, clock) ?? clock;
            if (!flagged && _evidence is { } evidence && _evidenceScorer is { } evidenceScorer && gsd <= ObjectCounter.MaxGroundSampleDistance)
            {
                // Object evidence: vehicles gathering where the pixel model saw nothing, confirmed by the tile model. The
                // arrivals' pixels go to a pooled buffer (most tiles here stay unflagged) and are copied out when kept.
                var arrivals = ArrayPool<byte>.Shared.Rent(n);
                try
                {
                    arrivals.AsSpan(0, n).Clear();
                    if (ObjectCounter.CountArrivals(before, after, gsd, _coreMargin, arrivals.AsSpan(0, n)) >= evidence.MinArrivals
                        && evidenceScorer.Assess(pair, cancellationToken) is { Flagged: true } tile)
                    {
                        (flagged, byEvidence, mask, tileProbability) = (true, true, arrivals.AsSpan(0, n).ToArray(), tile.Probability);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(arrivals);
                }

                clock = Times?.Record(ScoringStep.Evidence, clock) ?? clock;
            }

            if (!flagged)
            {
                return Assessment(p99, false, masked, ChangeTypeRule.Unclassified, null, pair);
            }

            // Type, for flagged tiles only: the tile model's type model on the tile features, else the rule (the gate, when there is one, has already passed the tile).
            // A tile flagged by object evidence is a vehicle build-up: that is what the evidence counted.
            var type = byEvidence ? ChangeTypeRule.ObjectBuildUp : ChangeTypeRule.Unclassified;
            if (ClassifyChangeType && !byEvidence)
            {
                Span<float> tileFeatures = stackalloc float[TilePairFeatures.Count];
                TilePairFeatures.Compute(before, after, tileFeatures);
                type = _tileScorer.TypeModel is { } typeModel ? typeModel.Classify(before, after, tileFeatures) : ChangeTypeRule.Classify(tileFeatures);
                clock = Times?.Record(ScoringStep.Type, clock) ?? clock;
            }

            // Objects in the core of flagged tiles.
            var objects = CountObjects ? _tileScorer.CountObjects(before, after) : null;
            if (CountObjects)
            {
                Times?.Record(ScoringStep.Objects, clock);
            }

            return Assessment(tileProbability, true, masked, type, mask, pair) with { Objects = objects, FlaggedByObjectEvidence = byEvidence };
        }
        finally
        {
            ArrayPool<int>.Shared.Return(ints);
            ArrayPool<float>.Shared.Return(evidenceMap);
            ArrayPool<float>.Shared.Return(probability);
        }
    }

    /// <summary>
    /// The rank, among all <paramref name="pixels"/> values of an evidence map, of the <paramref name="quantile"/> of its
    /// <paramref name="valid"/> pixels' values: the map is 0 at the others (masked, or past the scene's edge), which sort
    /// below every valid value, so a tile's probability does not fall with the share of its window it cannot see.
    /// </summary>
    internal static int ValidQuantileRank(int pixels, int valid, double quantile) =>
        Math.Clamp(pixels - valid + (int)Math.Ceiling(quantile * valid) - 1, 0, pixels - 1);

    /// <summary>
    /// The value of rank <paramref name="rank"/> (0-based, ascending) of probabilities in [0, 1], exactly as sorting would
    /// give it, in two passes: a 1024-bin histogram finds the bin, then only that bin's values are sorted.
    /// </summary>
    internal static float ProbabilityQuantile(ReadOnlySpan<float> values, int rank, Span<int> scratch)
    {
        const int Bins = 1024;
        Span<int> counts = stackalloc int[Bins + 1];
        foreach (var v in values)
        {
            counts[Bin(v)]++;
        }

        var below = 0;
        var bin = 0;
        while (below + counts[bin] <= rank)
        {
            below += counts[bin++];
        }

        var inBin = MemoryMarshal.Cast<int, float>(scratch)[..counts[bin]];
        var k = 0;
        foreach (var v in values)
        {
            if (Bin(v) == bin)
            {
                inBin[k++] = v;
            }
        }

        inBin.Sort();
        return inBin[rank - below];

        static int Bin(float v) => v >= 1f ? Bins : v > 0f ? (int)(v * Bins) : 0;
    }

    private static TileAssessment Assessment(double probability, bool flagged, double masked, string type, byte[]? mask, PreparedTilePair pair) =>
        new(probability, flagged, true, masked, pair.AppliedShiftX, pair.AppliedShiftY, type, mask)
        {
            Registration = pair.Registration,
            Masks = pair.Masks,
            CoveredFraction = pair.Masks.CoveredFraction,
        };
}
