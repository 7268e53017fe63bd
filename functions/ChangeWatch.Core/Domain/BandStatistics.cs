namespace ChangeWatch.Core.Domain;

/// <summary>
/// Robust statistics of one band of a scene, in the source's sample units: quantiles of the pixels that hold data in
/// every band (linear interpolation between order statistics of the sample).
/// </summary>
/// <param name="P02">2nd percentile.</param>
/// <param name="P10">10th percentile.</param>
/// <param name="P25">25th percentile (lower quartile).</param>
/// <param name="Median">50th percentile.</param>
/// <param name="P75">75th percentile (upper quartile).</param>
/// <param name="P90">90th percentile.</param>
/// <param name="P98">98th percentile.</param>
public sealed record BandStatistics(double P02, double P10, double P25, double Median, double P75, double P90, double P98)
{
    /// <summary>Interquartile range, <see cref="P75"/> − <see cref="P25"/>.</summary>
    public double InterquartileRange => P75 - P25;
}
