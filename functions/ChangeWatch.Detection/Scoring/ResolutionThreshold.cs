namespace ChangeWatch.Detection;

/// <summary>
/// A pixel threshold for imagery up to a ground sample distance: the threshold chosen on validation sites of that
/// resolution (one sensor's probability is not calibrated like another's). Stored in a pixel model's
/// <see cref="ModelManifest.ResolutionThresholds"/>, applied by <see cref="PixelChangeModel.ThresholdFor"/>.
/// </summary>
/// <param name="MaxGroundSampleDistance">Largest ground sample distance (metres a pixel) this threshold applies to.</param>
/// <param name="Threshold">Smoothed probability at or above which a pixel is change (0-1).</param>
public sealed record ResolutionThreshold(double MaxGroundSampleDistance, double Threshold);
