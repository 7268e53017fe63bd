using System.Buffers;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Detection;

/// <summary>
/// <see cref="IChangeScorer"/> for a pixel model (<see cref="ModelManifest.Kind"/> "pixel"), run as a cascade: the
/// tile-level model named in the manifest (<see cref="ModelManifest.CascadeTileModel"/>) scores every tile cheaply; the
/// pixel model runs only on tiles whose tile probability reaches <see cref="ModelManifest.CascadeTileThreshold"/>
/// (0 = every assessable tile). The tile's mask is the pixel model's (smoothed probability ≥ the pixel threshold,
/// regions under <see cref="ChangeMask.DefaultMinRegionPixels"/> px dropped); the tile is flagged when the mask holds at
/// least <see cref="MinFlaggedPixels"/> pixels; its probability is the 99th percentile of the smoothed pixel probability.
/// The pixel model normalises each tile (with its context) on its own. Records the pixel model's version and SHA-256.
/// Thread-safe.
/// </summary>
public sealed class CascadeChangeScorer : IChangeScorer
{
    /// <summary>Changed pixels a mask needs for the tile to be flagged (the size of the smallest changed blob that marks a 64-px cell changed).</summary>
    public const int MinFlaggedPixels = 64;

    private readonly MlNetChangeScorer _tileScorer;
    private readonly PixelChangeModel _pixels;
    private readonly double _gate;

    /// <summary>Loads pixel model <paramref name="version"/> and its gating tile model from <paramref name="modelDirectory"/>.</summary>
    /// <param name="modelDirectory">Folder holding one sub-folder per model version.</param>
    /// <param name="version">The pixel model's version folder, e.g. "v2".</param>
    /// <param name="thresholdOverride">Pixel threshold (0-1) instead of the model's own; null keeps the model's.</param>
    /// <param name="maxMaskedFraction">A tile with a larger masked fraction is not assessable (0-1).</param>
    /// <exception cref="FileNotFoundException">A model file is missing.</exception>
    /// <exception cref="InvalidDataException">The folder is not a pixel model or its feature list differs from the code's.</exception>
    public CascadeChangeScorer(string modelDirectory, string version, double? thresholdOverride = null, double maxMaskedFraction = 0.5)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var loaded = PixelModelFile.Load(Path.Combine(modelDirectory, version), out var manifest, out var sha);
        _pixels = thresholdOverride is { } t ? new PixelChangeModel(loaded.Trees, t) : loaded;
        _gate = manifest.CascadeTileThreshold ?? 0.0;
        _tileScorer = new MlNetChangeScorer(modelDirectory, manifest.CascadeTileModel ?? "v1", _gate, maxMaskedFraction);
        Manifest = manifest;
        Model = new ModelInfo(manifest.Version, sha, _pixels.Threshold);
    }

    /// <inheritdoc />
    public ModelInfo Model { get; }

    /// <summary>The pixel model's manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <inheritdoc />
    public TileAssessment Assess(TileRaster before, TileRaster after, CancellationToken cancellationToken)
    {
        var tile = _tileScorer.Assess(before, after, cancellationToken);
        if (!tile.Assessable || tile.Probability < _gate)
        {
            return tile with { Flagged = false, ChangeMask = null, ChangeType = ChangeTypeRule.Unclassified };
        }

        cancellationToken.ThrowIfCancellationRequested();
        var n = before.Width * before.Height;
        var probability = ArrayPool<float>.Shared.Rent(n);
        var ints = ArrayPool<int>.Shared.Rent(2 * n);
        try
        {
            _pixels.Score(before, after, probability);
            var mask = new byte[n];
            var threshold = (float)_pixels.Threshold;
            for (var i = 0; i < n; i++)
            {
                mask[i] = probability[i] >= threshold ? (byte)1 : (byte)0;
            }

            BlobCounter.RemoveSmall(mask, before.Width, before.Height, ChangeMask.DefaultMinRegionPixels, ints.AsSpan(0, n), ints.AsSpan(n, n));
            var changed = mask.AsSpan().Count((byte)1);
            var span = probability.AsSpan(0, n);
            span.Sort();
            var p99 = span[Math.Max(0, (int)Math.Ceiling(0.99 * n) - 1)];
            var flagged = changed >= MinFlaggedPixels;
            return new TileAssessment(
                p99, flagged, true, tile.MaskedFraction, tile.ShiftX, tile.ShiftY,
                flagged && tile.Flagged ? tile.ChangeType : ChangeTypeRule.Unclassified, flagged ? mask : null);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(ints);
            ArrayPool<float>.Shared.Return(probability);
        }
    }
}
