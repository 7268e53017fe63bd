namespace ChangeWatch.Detection;

/// <summary>
/// Sub-pixel translation between two co-located planes by phase correlation: the central N × N square (N the largest
/// power of two that fits, at least 16) of each plane is mean-removed and Hann-windowed, the normalised cross-power
/// spectrum (damped where it holds almost no energy) is transformed back, its peak located, and refined by evaluating
/// the inverse DFT on a grid around the peak (±1.5 px in 0.15 px steps, then ±0.1 px in 0.01 px steps; the matrix-DFT
/// idea of Guizar-Sicairos et al. 2008). When the shift is a pixel or more and the plane leaves room, the estimate is
/// repeated with the moving window displaced by its whole-pixel part (the fixed window otherwise biases it towards 0).
/// The transforms are radix-2 FFTs (<see cref="SquareFft"/>, both windows in one complex transform); N is at most 1024.
/// Shifts up to N/2 are found; the unit tests recover known sub-pixel shifts up to 5 px to within 0.1 px. NaN samples
/// count as the plane mean. Applied to tile pairs by <see cref="TileCoRegistration"/>.
/// Scratch memory (about 48 bytes × N²) is rented and returned. Thread-safe.
/// </summary>
public static class PhaseCorrelation
{
    /// <summary>Damping of the spectrum normalisation, as a fraction of the strongest cross-power term.</summary>
    internal static double Damping { get; set; } = 0.01;

    /// <summary>
    /// Estimates the shift (<paramref name="width"/> × <paramref name="height"/>, row-major planes) such that
    /// <c>moving(x, y) ≈ reference(x − ShiftX, y − ShiftY)</c>, and the normalised correlation peak (0-1; near 1 for a
    /// pure translation, low when the dates differ or the content is flat).
    /// </summary>
    /// <exception cref="ArgumentException">The planes are smaller than 16 × 16 or shorter than width × height.</exception>
    public static (double ShiftX, double ShiftY, double Peak) Estimate(ReadOnlySpan<float> reference, ReadOnlySpan<float> moving, int width, int height)
    {
        using var correlator = new PhaseCorrelator(width, height);
        return correlator.Estimate(reference, moving);
    }
}
