using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Tests.Fakes;

/// <summary>Flags a tile when any pixel of band 0 differs by more than 50 between dates; the mask marks those pixels.</summary>
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
        int changed = 0, masked = 0;
        for (var i = 0; i < mask.Length; i++)
        {
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

        var maskedFraction = (double)masked / mask.Length;
        var assessable = maskedFraction <= 0.5;
        var flagged = changed > 0 && assessable;
        return new TileAssessment(flagged ? 0.9 : 0.05, flagged, assessable, maskedFraction, 0, 0, "unclassified", flagged ? mask : null)
        {
            Objects = Objects,
            Registration = Registration,
            Masks = Masks,
            FlaggedByObjectEvidence = flagged && ByObjectEvidence,
        };
    }
}
