namespace ChangeWatch.Reporting.Imagery;

/// <summary>
/// The one rule for which source bands a report shows as red, green and blue:
/// <list type="bullet">
/// <item>1 or 2 bands: band 0 as grey (R = G = B = band 0);</item>
/// <item>3 bands: R, G, B in that order (bands 0, 1, 2);</item>
/// <item>4 bands: B, G, R, NIR (Sentinel-2 style, as OSCD), so red = band 2, green = band 1, blue = band 0;</item>
/// <item>5 or more bands: the first three as R, G, B.</item>
/// </list>
/// </summary>
public static class DisplayBands
{
    /// <summary>
    /// Source band indices shown as red, green and blue for a raster of <paramref name="bandCount"/> bands.
    /// Throws <see cref="ArgumentOutOfRangeException"/> when <paramref name="bandCount"/> is less than 1.
    /// </summary>
    public static (int Red, int Green, int Blue) For(int bandCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bandCount);
        return bandCount switch
        {
            1 or 2 => (0, 0, 0),
            4 => (2, 1, 0),
            _ => (0, 1, 2),
        };
    }
}
