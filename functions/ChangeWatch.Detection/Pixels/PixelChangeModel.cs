using System.Buffers;
using System.Diagnostics;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// The pixel-level change model: <see cref="PixelFeatures"/> of a raster pair, the tree ensemble's calibrated
/// probability per pixel, then a <see cref="Smoothing"/> of the probabilities (a 5×5 box mean unless set, measured to
/// help: it removes speckle; an expert may carry an edge-following guided filter instead, <see cref="ProbabilitySmoothing"/>).
/// A pixel is change when its smoothed probability reaches <see cref="Threshold"/>. With a <see cref="Stride"/> above 1
/// the features and the ensemble are evaluated only on the grid of every stride-th pixel of every stride-th row and the
/// probability between grid points is interpolated bilinearly before the smoothing (about stride² times less work for
/// the ensemble). With a <see cref="Gate"/> above 0 the ensemble runs in two passes:
/// first on every other grid point of every other grid row (the coarse grid), then only on the grid points whose
/// surrounding coarse points reach the gate probability; elsewhere the grid value is interpolated from the coarse
/// points (clearly unchanged ground costs a quarter of the ensemble work). Works on any raster size; give tiles at least
/// <see cref="PixelFeatures.ContextRadius"/> pixels of context on each side so the tile core sees the same windows as
/// in training. A model may hold resolution <see cref="Experts"/>: a tile whose ground sample distance lies in an expert's
/// range is scored with the expert's trees and threshold instead of the pooled ones. With
/// <see cref="AdaptiveThreshold"/> a tile no expert serves is thresholded by Otsu's threshold on its own probabilities,
/// never below <see cref="Threshold"/> (<see cref="TileThreshold"/>). Thread-safe.
/// </summary>
public sealed class PixelChangeModel
{
    private ResolutionThreshold[] _resolutionThresholds = [];
    private PixelExpert[] _experts = [];
    private ProbabilitySmoothing _smoothing = ProbabilitySmoothing.Default;

    /// <summary>Wraps an ensemble with its pixel threshold.</summary>
    /// <param name="trees">The ensemble, trained on <see cref="PixelFeatures"/> planes.</param>
    /// <param name="threshold">Smoothed probability at or above which a pixel is change (0-1).</param>
    /// <param name="stride">Grid step at which the ensemble is evaluated (1 = every pixel; 1-4).</param>
    /// <param name="gate">Coarse-pass probability (0-1) from which the grid points around are evaluated too; 0 evaluates every grid point.</param>
    public PixelChangeModel(PixelTreeModel trees, double threshold, int stride = 1, double gate = 0)
    {
        ArgumentNullException.ThrowIfNull(trees);
        if (trees.MaxFeatureIndex >= PixelFeatures.Count)
        {
            throw new InvalidDataException($"The ensemble reads feature {trees.MaxFeatureIndex}, the code computes {PixelFeatures.Count}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threshold, 1.0);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stride, 4);
        ArgumentOutOfRangeException.ThrowIfNegative(gate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(gate, 1.0);
        Trees = trees;
        Threshold = threshold;
        Stride = stride;
        Gate = gate;
    }

    /// <summary>The ensemble.</summary>
    public PixelTreeModel Trees { get; }

    /// <summary>Smoothed probability at or above which a pixel is change, where no <see cref="ResolutionThresholds"/> entry applies.</summary>
    public double Threshold { get; }

    /// <summary>
    /// Thresholds by ground sample distance, ascending by maximum (<see cref="ModelManifest.ResolutionThresholds"/>);
    /// empty: <see cref="Threshold"/> at every resolution.
    /// </summary>
    /// <exception cref="ArgumentException">Not ascending by maximum, or a threshold outside 0-1.</exception>
    public IReadOnlyList<ResolutionThreshold> ResolutionThresholds
    {
        get => _resolutionThresholds;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            for (var i = 0; i < value.Count; i++)
            {
                if (value[i].Threshold is < 0 or > 1 || !(value[i].MaxGroundSampleDistance > 0)
                    || (i > 0 && value[i].MaxGroundSampleDistance <= value[i - 1].MaxGroundSampleDistance))
                {
                    throw new ArgumentException("Resolution thresholds must lie in 0-1 and ascend by a positive maximum ground sample distance.", nameof(value));
                }
            }

            _resolutionThresholds = [.. value];
        }
    }

    /// <summary>
    /// Ensembles trained on one resolution's imagery only (<see cref="PixelExpert"/>): a tile whose ground sample distance
    /// (from its georeferencing) lies in an expert's range is scored with that expert's trees and threshold instead of
    /// <see cref="Trees"/>. Empty: <see cref="Trees"/> at every resolution.
    /// </summary>
    /// <exception cref="ArgumentException">Ranges overlap or are empty, a threshold lies outside 0-1, or an expert reads a feature the code does not compute.</exception>
    public IReadOnlyList<PixelExpert> Experts
    {
        get => _experts;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            var sorted = value.OrderBy(e => e.MinGroundSampleDistance).ToArray();
            for (var i = 0; i < sorted.Length; i++)
            {
                var e = sorted[i];
                if (e.Threshold is < 0 or > 1 || !(e.MinGroundSampleDistance > 0) || !(e.MaxGroundSampleDistance > e.MinGroundSampleDistance)
                    || (i > 0 && e.MinGroundSampleDistance <= sorted[i - 1].MaxGroundSampleDistance)
                    || e.Trees.MaxFeatureIndex >= PixelFeatures.Count)
                {
                    throw new ArgumentException("Experts need thresholds in 0-1, positive non-overlapping ranges and features the code computes.", nameof(value));
                }
            }

            _experts = sorted;
        }
    }

    /// <summary>
    /// How <see cref="Trees"/>' probability map is smoothed before thresholding (an expert's own
    /// <see cref="PixelExpert.Smoothing"/> applies to the tiles it serves); <see cref="ProbabilitySmoothing.Default"/> unless set.
    /// </summary>
    public ProbabilitySmoothing Smoothing
    {
        get => _smoothing;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _smoothing = value;
        }
    }

    /// <summary>The expert serving a tile of <paramref name="groundSampleDistance"/> metres a pixel, or null (the pooled <see cref="Trees"/>).</summary>
    public PixelExpert? ExpertFor(double? groundSampleDistance)
    {
        foreach (var expert in _experts)
        {
            if (expert.Covers(groundSampleDistance))
            {
                return expert;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a tile no expert serves takes Otsu's threshold on its own smoothed probabilities, at least
    /// <see cref="Threshold"/> (the floor), instead of a fixed threshold: for imagery of a resolution or sensor the
    /// model was not trained on, where a threshold chosen on the training datasets does not transfer but the ranking
    /// does (docs/model-evaluation.md, "Transfer to a new sensor"). <see cref="ResolutionThresholds"/> are not used then.
    /// </summary>
    public bool AdaptiveThreshold { get; init; }

    /// <summary>
    /// The threshold for a tile with smoothed probabilities <paramref name="probability"/> (as <see cref="Score(TileRaster, TileRaster, Span{float}, ScoringStepTimes?)"/>
    /// wrote them) at <paramref name="groundSampleDistance"/> metres a pixel: its expert's when one serves it; else, with
    /// <see cref="AdaptiveThreshold"/>, the larger of <see cref="Threshold"/> and Otsu's threshold on the probabilities;
    /// else <see cref="ThresholdFor"/>.
    /// </summary>
    public double TileThreshold(ReadOnlySpan<float> probability, double? groundSampleDistance) =>
        IsAdaptiveAt(groundSampleDistance) ? Math.Max(Threshold, ChangeMask.OtsuThreshold(probability)) : ThresholdFor(groundSampleDistance);

    /// <summary>
    /// Whether tiles of <paramref name="groundSampleDistance"/> metres a pixel take the adaptive threshold
    /// (<see cref="TileThreshold"/>): <see cref="AdaptiveThreshold"/> is set and no expert serves them.
    /// </summary>
    public bool IsAdaptiveAt(double? groundSampleDistance) => AdaptiveThreshold && ExpertFor(groundSampleDistance) is null;

    /// <summary>
    /// The threshold for a tile of <paramref name="groundSampleDistance"/> metres a pixel: its expert's
    /// (<see cref="ExpertFor"/>), else the first <see cref="ResolutionThresholds"/> entry whose maximum it does not
    /// exceed, else (beyond the last, or unknown) <see cref="Threshold"/> — with <see cref="AdaptiveThreshold"/>, the
    /// least threshold a tile no expert serves can take (<see cref="TileThreshold"/> gives each tile's).
    /// </summary>
    public double ThresholdFor(double? groundSampleDistance) =>
        ExpertFor(groundSampleDistance)?.Threshold ?? ResolutionThreshold.Select(_resolutionThresholds, Threshold, groundSampleDistance);

    /// <summary>
    /// This model with another threshold (at every resolution and for every expert, when given), stride or gate; null
    /// keeps this model's. Experts, thresholds by resolution and <see cref="AdaptiveThreshold"/> are kept unless a
    /// threshold is given (then it is the one fixed threshold everywhere).
    /// </summary>
    public PixelChangeModel With(double? threshold = null, int? stride = null, double? gate = null) =>
        threshold is null && stride is null && gate is null
            ? this
            : new PixelChangeModel(Trees, threshold ?? Threshold, stride ?? Stride, gate ?? Gate)
            {
                ResolutionThresholds = threshold is null ? _resolutionThresholds : [],
                Experts = threshold is { } t ? [.. _experts.Select(e => e with { Threshold = t })] : _experts,
                AdaptiveThreshold = threshold is null && AdaptiveThreshold,
                Smoothing = _smoothing,
            };

    /// <summary>Grid step at which features and ensemble are evaluated (1 = every pixel).</summary>
    public int Stride { get; }

    /// <summary>Coarse-pass probability from which the grid points around a coarse point are evaluated too (0 = no coarse pass).</summary>
    public double Gate { get; }

    /// <summary>
    /// Writes the smoothed change probability of every pixel (row-major, width × height; 0 where either date has no
    /// data) and returns the number of valid pixels. <paramref name="times"/>, when given, receives the time of the
    /// features, ensemble and smoothing steps.
    /// </summary>
    public int Score(TileRaster before, TileRaster after, Span<float> probability, ScoringStepTimes? times = null) =>
        Score(before, after, probability, null, times);

    /// <summary>
    /// As <see cref="Score(TileRaster, TileRaster, Span{float}, ScoringStepTimes?)"/>, normalising each date by its scene's
    /// statistics where given (<see cref="PixelFeatures.Compute(TileRaster, TileRaster, Span{float}, Span{byte}, int, ScenePairStatistics?)"/>).
    /// </summary>
    public int Score(TileRaster before, TileRaster after, Span<float> probability, ScenePairStatistics? statistics, ScoringStepTimes? times = null) =>
        Score(before, after, probability, [], statistics, times);

    /// <summary>
    /// As <see cref="Score(TileRaster, TileRaster, Span{float}, ScenePairStatistics?, ScoringStepTimes?)"/>, and, when
    /// <paramref name="evidence"/> is not empty, writes there the same ensemble output smoothed by the 5×5 box mean
    /// (<see cref="ProbabilitySmoothing.Default"/>) whatever the tile's smoothing: the strength of the change evidence
    /// that ranks tiles and cells (their 99th percentile). An edge-following smoothing draws the outline of a change
    /// better but keeps the peaks of weak responses on bright objects, which ranks unchanged cells higher (measured:
    /// LEVIR loso cell ROC AUC 0.842 ranked on the guided map, 0.863 on the box mean; docs/model-evaluation.md).
    /// </summary>
    public int Score(TileRaster before, TileRaster after, Span<float> probability, Span<float> evidence, ScenePairStatistics? statistics, ScoringStepTimes? times = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var n = before.Width * before.Height;
        if (probability.Length < n || (!evidence.IsEmpty && evidence.Length < n))
        {
            throw new ArgumentException("The probability (and evidence) spans must hold width × height values.", nameof(probability));
        }

        var expert = ExpertOf(before, after);
        var smoothing = expert?.Smoothing ?? _smoothing;
        var (validCount, raw, valid, integral, clock) = ScoreRaw(before, after, expert?.Trees ?? Trees, statistics, times);
        try
        {
            smoothing.Apply(raw.AsSpan(0, n), after, valid.AsSpan(0, n), probability, integral);
            if (!evidence.IsEmpty)
            {
                if (smoothing == ProbabilitySmoothing.Default)
                {
                    probability[..n].CopyTo(evidence);
                }
                else
                {
                    ProbabilitySmoothing.Default.Apply(raw.AsSpan(0, n), after, valid.AsSpan(0, n), evidence, integral);
                }
            }

            times?.Record(ScoringStep.Smoothing, clock);
            return validCount;
        }
        finally
        {
            Release(raw, valid, integral);
        }
    }

    /// <summary>
    /// Scores the pair once and smooths the map with each of <paramref name="smoothings"/> into the matching entry of
    /// <paramref name="probabilities"/> (each width × height): what a model with each smoothing would write, for the
    /// cost of one ensemble pass (a trainer's cross-validation compares smoothings this way), each date normalised by its
    /// scene's <paramref name="statistics"/> where given. Returns the valid pixels.
    /// </summary>
    public int Score(TileRaster before, TileRaster after, IReadOnlyList<ProbabilitySmoothing> smoothings, IReadOnlyList<float[]> probabilities, ScenePairStatistics? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(smoothings);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (smoothings.Count != probabilities.Count || probabilities.Any(p => p.Length < before.Width * before.Height))
        {
            throw new ArgumentException("One probability array of width × height values per smoothing is needed.", nameof(probabilities));
        }

        var n = before.Width * before.Height;
        var (validCount, raw, valid, integral, _) = ScoreRaw(before, after, ExpertOf(before, after)?.Trees ?? Trees, statistics, null);
        try
        {
            for (var k = 0; k < smoothings.Count; k++)
            {
                smoothings[k].Apply(raw.AsSpan(0, n), after, valid.AsSpan(0, n), probabilities[k], integral);
            }

            return validCount;
        }
        finally
        {
            Release(raw, valid, integral);
        }
    }

    // The expert serving this tile pair's resolution, or null (the pooled trees).
    private PixelExpert? ExpertOf(TileRaster before, TileRaster after) =>
        _experts.Length == 0 ? null : ExpertFor(GroundSampleDistance.OfTilePair(before, after));

    // Features and trees (the tile's expert's or the pooled ones; on the stride grid), interpolated back to every pixel: the unsmoothed map and the valid mask
    // in pooled arrays (raw, valid: width × height first), a summed-area table to smooth with, and the timestamp from which
    // the interpolation and smoothing count as ScoringStep.Smoothing. The caller gives the arrays back (Release).
    private (int ValidCount, float[] Raw, byte[] Valid, double[] Integral, long Clock) ScoreRaw(
        TileRaster before, TileRaster after, PixelTreeModel trees, ScenePairStatistics? statistics, ScoringStepTimes? times)
    {
        var (w, h) = (before.Width, before.Height);
        var n = w * h;
        var s = Stride;
        var gn = PixelFeatures.GridLength(w, h, s);
        var planes = ArrayPool<float>.Shared.Rent(PixelFeatures.Count * gn);
        var valid = ArrayPool<byte>.Shared.Rent(n + gn);
        var raw = ArrayPool<float>.Shared.Rent(n + gn);
        var integral = ArrayPool<double>.Shared.Rent(BoxFilter.IntegralLength(w, h));
        try
        {
            var clock = Stopwatch.GetTimestamp();
            var validCount = PixelFeatures.Compute(before, after, planes, valid.AsSpan(0, n), s, statistics);
            clock = times?.Record(ScoringStep.Features, clock) ?? clock;
            var gridValid = valid.AsSpan(n, gn);
            var gridRaw = raw.AsSpan(n, gn);
            SampleMask(valid.AsSpan(0, n), w, h, s, gridValid);
            var evaluated = Gate > 0
                ? PredictCoarseToFine(trees, planes.AsSpan(0, PixelFeatures.Count * gn), PixelFeatures.GridSize(w, s), PixelFeatures.GridSize(h, s), gridValid, gridRaw)
                : Predict(trees, planes.AsSpan(0, PixelFeatures.Count * gn), gn, gridValid, gridRaw);
            times?.CountPoints(evaluated, gn);
            clock = times?.Record(ScoringStep.Ensemble, clock) ?? clock;
            if (s > 1)
            {
                Interpolate(gridRaw, w, h, s, raw.AsSpan(0, n));
            }
            else
            {
                gridRaw.CopyTo(raw);
            }

            return (validCount, raw, valid, integral, clock);
        }
        catch
        {
            Release(raw, valid, integral);
            throw;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(planes);
        }
    }

    private static void Release(float[] raw, byte[] valid, double[] integral)
    {
        ArrayPool<double>.Shared.Return(integral);
        ArrayPool<float>.Shared.Return(raw);
        ArrayPool<byte>.Shared.Return(valid);
    }

    private static int Predict(PixelTreeModel trees, ReadOnlySpan<float> planes, int points, ReadOnlySpan<byte> valid, Span<float> probability)
    {
        trees.Predict(planes, points, valid, probability);
        return points;
    }

    /// <summary>
    /// The ensemble on the coarse grid (even grid columns of even grid rows), then on the other grid points whose
    /// enclosing coarse points (two or four) include one at or above <see cref="Gate"/>; the rest are interpolated
    /// bilinearly from those coarse points. Returns the number of grid points evaluated.
    /// </summary>
    private int PredictCoarseToFine(PixelTreeModel trees, ReadOnlySpan<float> planes, int gw, int gh, ReadOnlySpan<byte> valid, Span<float> probability)
    {
        var gn = gw * gh;
        var indices = ArrayPool<int>.Shared.Rent(gn);
        try
        {
            var count = 0;
            for (var gy = 0; gy < gh; gy += 2)
            {
                for (var gx = 0; gx < gw; gx += 2)
                {
                    indices[count++] = gy * gw + gx;
                }
            }

            trees.Predict(planes, gn, indices.AsSpan(0, count), valid, probability);
            var coarse = count;
            count = 0;
            var gate = (float)Gate;
            var (lastX, lastY) = ((gw - 1) & ~1, (gh - 1) & ~1);
            for (var gy = 0; gy < gh; gy++)
            {
                var y0 = gy & ~1;
                var y1 = Math.Min(y0 + 2, lastY);
                var ty = y1 > y0 ? (gy - y0) * 0.5f : 0f;
                for (var gx = (gy & 1) == 0 ? 1 : 0; gx < gw; gx += (gy & 1) == 0 ? 2 : 1)
                {
                    var x0 = gx & ~1;
                    var x1 = Math.Min(x0 + 2, lastX);
                    var tx = x1 > x0 ? (gx - x0) * 0.5f : 0f;
                    var p00 = probability[y0 * gw + x0];
                    var p01 = probability[y0 * gw + x1];
                    var p10 = probability[y1 * gw + x0];
                    var p11 = probability[y1 * gw + x1];
                    var p = gy * gw + gx;
                    if (Math.Max(Math.Max(p00, p01), Math.Max(p10, p11)) >= gate)
                    {
                        indices[count++] = p;
                    }
                    else
                    {
                        var top = p00 + (p01 - p00) * tx;
                        var bottom = p10 + (p11 - p10) * tx;
                        probability[p] = top + (bottom - top) * ty;
                    }
                }
            }

            trees.Predict(planes, gn, indices.AsSpan(0, count), valid, probability);
            return coarse + count;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indices);
        }
    }

    private static void SampleMask(ReadOnlySpan<byte> valid, int w, int h, int s, Span<byte> grid)
    {
        var gw = PixelFeatures.GridSize(w, s);
        for (int y = 0, gy = 0; y < h; y += s, gy++)
        {
            for (int x = 0, gx = 0; x < w; x += s, gx++)
            {
                grid[gy * gw + gx] = valid[y * w + x];
            }
        }
    }

    /// <summary>Bilinear interpolation of grid values (every s-th pixel) to every pixel; beyond the last grid point the last value holds.</summary>
    private static void Interpolate(ReadOnlySpan<float> grid, int w, int h, int s, Span<float> destination)
    {
        var gw = PixelFeatures.GridSize(w, s);
        var gh = PixelFeatures.GridSize(h, s);
        var inv = 1f / s;

        // Each column's grid neighbours and weight, once per raster rather than a division per pixel (the same values).
        var columns = ArrayPool<int>.Shared.Rent(2 * w);
        var weights = ArrayPool<float>.Shared.Rent(w);
        for (var x = 0; x < w; x++)
        {
            var gx0 = x / s;
            columns[2 * x] = gx0;
            columns[2 * x + 1] = Math.Min(gx0 + 1, gw - 1);
            weights[x] = (x - gx0 * s) * inv;
        }

        for (var y = 0; y < h; y++)
        {
            var gy0 = y / s;
            var gy1 = Math.Min(gy0 + 1, gh - 1);
            var ty = (y - gy0 * s) * inv;
            var row0 = grid.Slice(gy0 * gw, gw);
            var row1 = grid.Slice(gy1 * gw, gw);
            var dst = destination.Slice(y * w, w);
            for (var x = 0; x < w; x++)
            {
                var (gx0, gx1, tx) = (columns[2 * x], columns[2 * x + 1], weights[x]);
                var top = row0[gx0] + (row0[gx1] - row0[gx0]) * tx;
                var bottom = row1[gx0] + (row1[gx1] - row1[gx0]) * tx;
                dst[x] = top + (bottom - top) * ty;
            }
        }

        ArrayPool<float>.Shared.Return(weights);
        ArrayPool<int>.Shared.Return(columns);
    }
}
