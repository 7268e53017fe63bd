namespace ChangeWatch.Detection;

/// <summary>
/// A tree ensemble trained on imagery of one resolution only (one labelled dataset), which a <see cref="PixelChangeModel"/>
/// uses instead of its pooled ensemble, with its own threshold, for tiles whose ground sample distance lies in
/// [<see cref="MinGroundSampleDistance"/>, <see cref="MaxGroundSampleDistance"/>]. Measured on ../shared/data: at the
/// resolution of a dataset it was trained on, a model trained on that dataset alone scores its new sites better than the
/// pooled model; at a resolution no dataset covers, the pooled model transfers better (docs/model-evaluation.md).
/// </summary>
/// <param name="MinGroundSampleDistance">Finest ground sample distance served, metres a pixel.</param>
/// <param name="MaxGroundSampleDistance">Coarsest ground sample distance served, metres a pixel.</param>
/// <param name="Trees">The ensemble, trained on <see cref="PixelFeatures"/> planes.</param>
/// <param name="Threshold">Smoothed probability at or above which a pixel is change (0-1).</param>
/// <param name="Smoothing">How its probability map is smoothed; null: <see cref="ProbabilitySmoothing.Default"/> (every expert before v9).</param>
public sealed record PixelExpert(double MinGroundSampleDistance, double MaxGroundSampleDistance, PixelTreeModel Trees, double Threshold, ProbabilitySmoothing? Smoothing = null)
{
    /// <summary>
    /// How far from its training resolution an expert serves, as a factor either way: an expert trained at g metres
    /// serves g / 1.5 to g × 1.5 (0.5 m: 0.33-0.75 m; 1.5 m: 1-2.25 m; 10 m: 6.7-15 m).
    /// </summary>
    public const double RangeFactor = 1.5;

    /// <summary>The range an expert trained at <paramref name="groundSampleDistance"/> metres a pixel serves (<see cref="RangeFactor"/> either way).</summary>
    public static (double Min, double Max) RangeAround(double groundSampleDistance) =>
        (groundSampleDistance / RangeFactor, groundSampleDistance * RangeFactor);

    /// <summary>Whether a tile of <paramref name="groundSampleDistance"/> metres a pixel is this expert's (false when unknown).</summary>
    public bool Covers(double? groundSampleDistance) =>
        groundSampleDistance is { } gsd && double.IsFinite(gsd) && gsd >= MinGroundSampleDistance && gsd <= MaxGroundSampleDistance;
}
