namespace ChangeWatch.Detection;

/// <summary>
/// A pixel threshold for imagery up to a ground sample distance: the threshold chosen on validation sites of that
/// resolution (one sensor's probability is not calibrated like another's). Stored in a pixel model's
/// <see cref="ModelManifest.ResolutionThresholds"/>, applied by <see cref="PixelChangeModel.ThresholdFor"/>.
/// </summary>
/// <param name="MaxGroundSampleDistance">Largest ground sample distance (metres a pixel) this threshold applies to.</param>
/// <param name="Threshold">Smoothed probability at or above which a pixel is change (0-1).</param>
public sealed record ResolutionThreshold(double MaxGroundSampleDistance, double Threshold)
{
    /// <summary>
    /// The threshold of the first of <paramref name="bands"/> (ascending by maximum) whose maximum
    /// <paramref name="groundSampleDistance"/> does not exceed; <paramref name="fallback"/> beyond the last, or when the
    /// distance is unknown, not finite or not positive.
    /// </summary>
    public static double Select(IReadOnlyList<ResolutionThreshold> bands, double fallback, double? groundSampleDistance)
    {
        ArgumentNullException.ThrowIfNull(bands);
        if (groundSampleDistance is { } gsd && double.IsFinite(gsd) && gsd > 0)
        {
            foreach (var band in bands)
            {
                if (gsd <= band.MaxGroundSampleDistance)
                {
                    return band.Threshold;
                }
            }
        }

        return fallback;
    }
}
