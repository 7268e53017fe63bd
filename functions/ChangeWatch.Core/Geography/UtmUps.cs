namespace ChangeWatch.Core.Geography;

/// <summary>
/// WGS84 latitude/longitude to UTM or UPS grid coordinates, as MGRS uses them (NGA.SIG.0012): UTM between 80°S and
/// 84°N (inclusive) with the Norway (32V) and Svalbard (31X, 33X, 35X, 37X) zone exceptions, UPS beyond.
/// <para>
/// UTM is the transverse Mercator projection by Krüger's series to sixth order in the third flattening (Karney 2011),
/// accurate to well under a millimetre within a zone and its usual overlap; UPS is the ellipsoidal polar stereographic
/// projection with scale 0.994 at the pole. Pure math, no allocation.
/// </para>
/// </summary>
public static class UtmUps
{
    /// <summary>WGS84 semi-major axis, metres.</summary>
    public const double SemiMajorAxis = 6_378_137.0;

    /// <summary>WGS84 flattening.</summary>
    public const double Flattening = 1 / 298.257223563;

    /// <summary>Northernmost latitude of UTM in MGRS (degrees, inclusive).</summary>
    public const double UtmNorthLimit = 84.0;

    /// <summary>Southernmost latitude of UTM in MGRS (degrees, inclusive).</summary>
    public const double UtmSouthLimit = -80.0;

    private const double UtmScale = 0.9996;
    private const double UpsScale = 0.994;
    private const double UtmFalseEasting = 500_000;
    private const double UtmFalseNorthingSouth = 10_000_000;
    private const double UpsFalseOrigin = 2_000_000;

    private static readonly double E2 = Flattening * (2 - Flattening);
    private static readonly double E = Math.Sqrt(E2);
    private static readonly double N = Flattening / (2 - Flattening);
    private static readonly double RectifyingRadius = SemiMajorAxis / (1 + N) * (1 + N * N / 4 + Math.Pow(N, 4) / 64 + Math.Pow(N, 6) / 256);
    private static readonly double[] Alpha = KruegerAlpha(N);

    /// <summary>
    /// The MGRS grid position of a point: UTM in its standard zone (with the Norway/Svalbard exceptions) from 80°S to 84°N,
    /// UPS beyond. Longitude may be any finite value (wrapped to -180..180; 180 is zone 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Latitude is not within -90..90 or a value is not finite.</exception>
    public static GridPosition Forward(double latitude, double longitude)
    {
        Check(latitude, longitude);
        return latitude is >= UtmSouthLimit and <= UtmNorthLimit
            ? ToUtm(latitude, longitude, StandardZone(latitude, longitude))
            : ToUps(latitude, longitude);
    }

    /// <summary>
    /// The standard UTM zone (1-60) of a point: 6° zones from 180°W, except 32 for 56-64°N, 3-12°E (southern Norway)
    /// and 31/33/35/37 for 72-84°N, 0-42°E (Svalbard).
    /// </summary>
    public static int StandardZone(double latitude, double longitude)
    {
        Check(latitude, longitude);
        var lon = Wrap(longitude);
        var zone = (int)Math.Floor((lon + 180) / 6) + 1;
        if (zone > 60)
        {
            zone = 1;
        }

        if (latitude is >= 56 and < 64 && lon is >= 3 and < 12)
        {
            return 32;
        }

        if (latitude is >= 72 and <= 84 && lon is >= 0 and < 42)
        {
            return lon switch { < 9 => 31, < 21 => 33, < 33 => 35, _ => 37 };
        }

        return zone;
    }

    /// <summary>
    /// UTM coordinates of a point in the given <paramref name="zone"/> (1-60), whatever its standard zone; the hemisphere
    /// follows the latitude's sign (0° is north).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zone not 1-60, latitude beyond ±90 or not finite.</exception>
    public static GridPosition ToUtm(double latitude, double longitude, int zone)
    {
        Check(latitude, longitude);
        ArgumentOutOfRangeException.ThrowIfLessThan(zone, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(zone, 60);

        var centralMeridian = zone * 6 - 183;
        var lambda = DegToRad(Wrap(longitude - centralMeridian));
        var phi = DegToRad(latitude);

        // Conformal latitude as tau' = tan(chi), then Gauss-Schreiber ξ', η' and Krüger's series.
        var sinPhi = Math.Sin(phi);
        var t = Math.Sinh(Math.Atanh(sinPhi) - E * Math.Atanh(E * sinPhi));
        var xiPrime = Math.Atan2(t, Math.Cos(lambda));
        var etaPrime = Math.Atanh(Math.Sin(lambda) / Math.Sqrt(1 + t * t));
        double xi = xiPrime, eta = etaPrime;
        for (var j = 1; j <= Alpha.Length; j++)
        {
            xi += Alpha[j - 1] * Math.Sin(2 * j * xiPrime) * Math.Cosh(2 * j * etaPrime);
            eta += Alpha[j - 1] * Math.Cos(2 * j * xiPrime) * Math.Sinh(2 * j * etaPrime);
        }

        var easting = UtmFalseEasting + UtmScale * RectifyingRadius * eta;
        var northing = UtmScale * RectifyingRadius * xi;
        var north = latitude >= 0;
        return new GridPosition(zone, north, easting, north ? northing : northing + UtmFalseNorthingSouth);
    }

    /// <summary>
    /// UPS coordinates of a point, north polar aspect for latitude ≥ 0, south otherwise (defined for any latitude, meant
    /// for beyond 84°N and 80°S).
    /// </summary>
    public static GridPosition ToUps(double latitude, double longitude)
    {
        Check(latitude, longitude);
        var north = latitude >= 0;
        var phi = DegToRad(north ? latitude : -latitude);
        var lambda = DegToRad(Wrap(longitude));
        var sinPhi = Math.Sin(phi);

        // t = tan(π/4 − φ/2) / ((1 − e sinφ)/(1 + e sinφ))^(e/2), written to stay exact at the pole.
        var t = Math.Tan(Math.PI / 4 - phi / 2) / Math.Pow((1 - E * sinPhi) / (1 + E * sinPhi), E / 2);
        var rho = 2 * SemiMajorAxis * UpsScale * t / Math.Sqrt(Math.Pow(1 + E, 1 + E) * Math.Pow(1 - E, 1 - E));
        var easting = UpsFalseOrigin + rho * Math.Sin(lambda);
        var northing = north ? UpsFalseOrigin - rho * Math.Cos(lambda) : UpsFalseOrigin + rho * Math.Cos(lambda);
        return new GridPosition(0, north, easting, northing);
    }

    private static double[] KruegerAlpha(double n)
    {
        var n2 = n * n;
        var n3 = n2 * n;
        var n4 = n3 * n;
        var n5 = n4 * n;
        var n6 = n5 * n;
        return
        [
            n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180 - 127 * n5 / 288 + 7891 * n6 / 37800,
            13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440 + 281 * n5 / 630 - 1983433 * n6 / 1935360,
            61 * n3 / 240 - 103 * n4 / 140 + 15061 * n5 / 26880 + 167603 * n6 / 181440,
            49561 * n4 / 161280 - 179 * n5 / 168 + 6601661 * n6 / 7257600,
            34729 * n5 / 80640 - 3418889 * n6 / 1995840,
            212378941 * n6 / 319334400,
        ];
    }

    private static void Check(double latitude, double longitude)
    {
        if (!double.IsFinite(latitude) || latitude is < -90 or > 90)
        {
            throw new ArgumentOutOfRangeException(nameof(latitude), latitude, "Latitude must be within -90..90 degrees.");
        }

        if (!double.IsFinite(longitude))
        {
            throw new ArgumentOutOfRangeException(nameof(longitude), longitude, "Longitude must be finite.");
        }
    }

    private static double Wrap(double longitude)
    {
        var wrapped = Math.IEEERemainder(longitude, 360);
        return wrapped >= 180 ? wrapped - 360 : wrapped < -180 ? wrapped + 360 : wrapped;
    }

    private static double DegToRad(double degrees) => degrees * (Math.PI / 180);
}
