namespace ChangeWatch.Core.Ports;

/// <summary>Converts map coordinates of a known EPSG system to WGS84 latitude/longitude.</summary>
public interface IGeoLocator
{
    /// <summary>
    /// Converts (<paramref name="x"/>, <paramref name="y"/>) in EPSG:<paramref name="epsg"/> to degrees;
    /// false when the system is not supported.
    /// </summary>
    bool TryToWgs84(int epsg, double x, double y, out double latitude, out double longitude);
}
