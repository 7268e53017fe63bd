using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Tests.Fakes;

/// <summary>
/// Flags a tile when any pixel of band 0 differs by more than 50 between dates; the mask marks those pixels. Judges a
/// tile on the pixels either date covers, as the real scorers do.
/// </summary>
public sealed class DifferenceScorer : IChangeScorer
{
    public ModelInfo Model { get; set; } = new("test", new string('a', 64), 0.5);

    public int Calls;

    /// <summary>When set, the threshold by ground sample distance (<see cref="IChangeScorer.ThresholdFor"/>); when null, <see cref="ModelInfo.Threshold"/>.</summary>
    public Func<double?, double>? Thresholds { get; set; }

    public double ThresholdFor(double? groundSampleDistance) => Thresholds?.Invoke(groundSampleDistance) ?? Model.Threshold;

    /// <summary>When set, whether tiles of a ground sample distance are thresholded adaptively (<see cref="IChangeScorer.AdaptiveThresholdAt"/>).</summary>
    public Func<double?, bool>? Adaptive { get; set; }

    public bool AdaptiveThresholdAt(double? groundSampleDistance) => Adaptive?.Invoke(groundSampleDistance) ?? false;

    /// <summary>When set, every tile reports these object counts; when null, counts are not measured.</summary>
    public ObjectCounts? Objects { get; set; }

    /// <summary>When set, every tile reports this co-registration; when null, the scorer does not co-register.</summary>
    public CoRegistration? Registration { get; set; }

    /// <summary>When set, every tile reports these masks; when null, the scorer does not detect clouds or haze.</summary>
    public MaskSummary? Masks { get; set; }

    /// <summary>When true, every flagged tile says object evidence flagged it.</summary>
    public bool ByObjectEvidence { get; set; }

    /// <summary>The scene statistics given with the last tile scored through the statistics overload, or null.</summary>
    public ScenePairStatistics? LastStatistics { get; private set; }

    /// <summary>When true, the scorer samples pair raster values (<see cref="CoreDifferenceSampler"/>); when false, it has none.</summary>
    public bool SamplesPairRaster { get; set; }

    /// <summary>The samplers made, in order.</summary>
    public List<CoreDifferenceSampler> Samplers { get; } = [];

    public IPairRasterSampler? CreatePairRasterSampler(ScenePairStatistics statistics, long pixels)
    {
        if (!SamplesPairRaster || statistics.Before is null || statistics.After is null)
        {
            return null;
        }

        var sampler = new CoreDifferenceSampler(pixels);
        lock (Samplers)
        {
            Samplers.Add(sampler);
        }

        return sampler;
    }

    public TileAssessment Assess(TileRaster before, TileRaster after, ScenePairStatistics statistics, CancellationToken cancellationToken)
    {
        LastStatistics = statistics;
        return Assess(before, after, cancellationToken);
    }

    public TileAssessment Assess(TileRaster before, TileRaster after, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        var mask = new byte[after.Width * after.Height];
        var a = after.Band(0);
        var b = before.Band(0);
        int changed = 0, masked = 0, covered = 0;
        for (var i = 0; i < mask.Length; i++)
        {
            covered += float.IsNaN(a[i]) && float.IsNaN(b[i]) ? 0 : 1;
            if (float.IsNaN(a[i]) || float.IsNaN(b[i]))
            {
                masked++;
            }
            else if (Math.Abs(a[i] - b[i]) > 50)
            {
                mask[i] = 1;
                changed++;
            }
        }

        // As the real scorers judge a tile (Detection's TileAssessability): on the pixels either date covers.
        var maskedFraction = covered == 0 ? 1.0 : (double)(masked - (mask.Length - covered)) / covered;
        var assessable = maskedFraction <= 0.5 && covered * 64 >= mask.Length;
        var flagged = changed > 0 && assessable;
        return new TileAssessment(flagged ? 0.9 : 0.05, flagged, assessable, maskedFraction, 0, 0, "unclassified", flagged ? mask : null)
        {
            Objects = Objects,
            Registration = Registration,
            Masks = Masks,
            CoveredFraction = (double)covered / mask.Length,
            FlaggedByObjectEvidence = flagged && ByObjectEvidence,
        };
    }
}

/// <summary>
/// A pair raster sampler whose values are the mean, the maximum and the count of |after − before| of band 0 over every
/// core pixel fed (so a test can compute them directly); records the cores it was fed.
/// </summary>
public sealed class CoreDifferenceSampler(long pixels) : IPairRasterSampler
{
    private readonly Lock _lock = new();
    private double _sum;
    private float _max;
    private int _count;

    /// <summary>The core pixels announced when it was made.</summary>
    public long Pixels { get; } = pixels;

    /// <summary>The cores fed, in the order they came.</summary>
    public List<PixelWindow> Cores { get; } = [];

    public void Add(TileRaster before, TileRaster after, PixelWindow window, PixelWindow core)
    {
        double sum = 0;
        float max = 0;
        var count = 0;
        for (var y = Math.Max(core.Y, window.Y); y < Math.Min(core.Y + core.Height, window.Y + before.Height); y++)
        {
            for (var x = Math.Max(core.X, window.X); x < Math.Min(core.X + core.Width, window.X + before.Width); x++)
            {
                var d = Math.Abs(after.Row(0, y - window.Y)[x - window.X] - before.Row(0, y - window.Y)[x - window.X]);
                if (float.IsFinite(d))
                {
                    (sum, max, count) = (sum + d, Math.Max(max, d), count + 1);
                }
            }
        }

        lock (_lock)
        {
            (_sum, _max, _count) = (_sum + sum, Math.Max(_max, max), _count + count);
            Cores.Add(core);
        }
    }

    public PairRasterValues? Build()
    {
        lock (_lock)
        {
            return _count == 0 ? null : new PairRasterValues((float)(_sum / _count), _max, _count);
        }
    }
}
