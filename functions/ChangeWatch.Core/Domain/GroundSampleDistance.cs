using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Domain;

/// <summary>Ground sample distance (metres per pixel) derived from georeferencing when a provider does not state it.</summary>
public static class GroundSampleDistance
{
    private const double MetresPerDegreeLatitude = 111_320.0;

    /// <summary>
    /// Pixel width in metres: the transform's pixel size for projected systems; for EPSG:4326 (degrees) the width at the
    /// image's central latitude. Null without georeferencing.
    /// </summary>
    public static double? FromGeoReference(GeoReference? geo, int height)
    {
        if (geo is null)
        {
            return null;
        }

        var t = geo.Transform;
        if (geo.Epsg != 4326)
        {
            return Math.Abs(t.PixelWidth);
        }

        var centreLatitude = t.OriginY + t.PixelHeight * height / 2.0;
        return Math.Abs(t.PixelWidth) * MetresPerDegreeLatitude * Math.Cos(centreLatitude * Math.PI / 180.0);
    }

    /// <summary>
    /// The ground sample distance of a tile pair as scorers read it: from the before tile's georeferencing, else the
    /// after tile's (<see cref="FromGeoReference"/> at the before tile's height). Null when neither is georeferenced.
    /// </summary>
    public static double? OfTilePair(TileRaster before, TileRaster after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return FromGeoReference(before.GeoReference ?? after.GeoReference, before.Height);
    }
}
