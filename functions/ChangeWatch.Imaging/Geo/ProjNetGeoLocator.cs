using System.Collections.Concurrent;
using ChangeWatch.Core.Ports;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace ChangeWatch.Imaging.Geo;

/// <summary>
/// Converts map coordinates to WGS84 latitude/longitude with ProjNet. Supported systems: EPSG:4326 (identity; GeoTIFF
/// stores longitude as x and latitude as y), EPSG:3857 (Web Mercator), and WGS84 / UTM north (32601-32660) and south
/// (32701-32760) zones. Transforms are built once per code and shared; safe for concurrent use.
/// </summary>
public sealed class ProjNetGeoLocator : IGeoLocator
{
    private static readonly CoordinateTransformationFactory Factory = new();
    private readonly ConcurrentDictionary<int, MathTransform?> _transforms = new();

    /// <summary>True for the EPSG codes this locator converts.</summary>
    public static bool Supports(int epsg) => epsg is 4326 or 3857 or (>= 32601 and <= 32660) or (>= 32701 and <= 32760);

    /// <inheritdoc />
    public bool TryToWgs84(int epsg, double x, double y, out double latitude, out double longitude)
    {
        (latitude, longitude) = (double.NaN, double.NaN);
        if (!Supports(epsg) || !double.IsFinite(x) || !double.IsFinite(y))
        {
            return false;
        }

        if (epsg == 4326)
        {
            (latitude, longitude) = (y, x);
            return y is >= -90 and <= 90;
        }

        var transform = _transforms.GetOrAdd(epsg, Create);
        if (transform is null)
        {
            return false;
        }

        var (lon, lat) = transform.Transform(x, y);
        if (!double.IsFinite(lat) || !double.IsFinite(lon))
        {
            return false;
        }

        (latitude, longitude) = (lat, lon);
        return true;
    }

    private static MathTransform? Create(int epsg)
    {
        ProjectedCoordinateSystem? source = epsg switch
        {
            3857 => ProjectedCoordinateSystem.WebMercator,
            >= 32601 and <= 32660 => ProjectedCoordinateSystem.WGS84_UTM(epsg - 32600, true),
            >= 32701 and <= 32760 => ProjectedCoordinateSystem.WGS84_UTM(epsg - 32700, false),
            _ => null,
        };
        return source is null
            ? null
            : Factory.CreateFromCoordinateSystems(source, GeographicCoordinateSystem.WGS84).MathTransform;
    }
}
