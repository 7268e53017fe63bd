using ChangeWatch.Core.Geography;

namespace ChangeWatch.Core.Tests;

/// <summary>
/// UTM/UPS and MGRS against published reference coordinates, to 1 m. Sources:
/// <list type="bullet">
/// <item>[V] C. Veness, geodesy library test suite (utm-mgrs-tests.js): UTM to the millimetre and MGRS strings;</item>
/// <item>[IBM] IBM developerWorks "j-coordconvert" listing 7, as quoted in [V] (MGRS truncated);</item>
/// <item>[GL] GeographicLib GeoConvert online page, Cape Morris Jesup example (83°37'39"N 32°39'52"W);</item>
/// <item>[P] mgrs-pole-test package (npm) polar cases, each also checked with PROJ 9.1.1 <c>cs2cs EPSG:4326 EPSG:32661</c>;</item>
/// <item>[PROJ] PROJ 9.1.1 <c>cs2cs -f %.4f EPSG:4326 EPSG:326zz/327zz/32661/32761</c> for the polar limits and a zone edge.</item>
/// </list>
/// </summary>
public sealed class MgrsTests
{
    private const double Tolerance = 1.0; // metres

    public static TheoryData<double, double, int, bool, double, double> UtmReferences => new()
    {
        { 0, 0, 31, true, 166021.443081, 0 },                       // [V]
        { 1, 1, 31, true, 277438.26352, 110597.97252 },             // [V]
        { -1, -1, 30, false, 722561.73648, 9889402.02748 },         // [V] southern hemisphere, west of Greenwich
        { 48.8583, 2.2945, 31, true, 448251.898, 5411943.794 },     // [V] Eiffel Tower
        { -33.857, 151.215, 56, false, 334873.199, 6252266.092 },   // [V] Sydney Opera House
        { 38.8977, -77.0365, 18, true, 323394.296, 4307395.634 },   // [V] White House
        { -22.9519, -43.2106, 23, false, 683466.254, 7460687.433 }, // [V] Rio
        { 60.39135, 5.3249, 32, true, 297508.41, 6700645.30 },      // [V] Bergen: Norway exception (31 -> 32)
        { 0.13, -0.2324, 30, true, 808084, 14386 },                 // [IBM] #02, 0.23° from the zone 30/31 edge
        { 77.345, 156.9876, 57, true, 450794, 8586116 },            // [IBM] #10, band X
        { 47.9999, 5.9999, 31, true, 723768.8897, 5320644.3857 },   // [PROJ] just west of the 31/32 edge
        { 47.9999, 6.0, 32, true, 276223.6518, 5320644.6762 },      // [PROJ] on the edge: zone 32
        { 84, -32.664, 25, true, 503921.1317, 9328105.2650 },       // [PROJ] northern limit of UTM
        { 84, 0.5, 31, true, 470833.8039, 9328726.7551 },           // [PROJ] northern limit, Svalbard zone
        { -80, -179.5, 1, false, 451550.1297, 1117373.0551 },       // [PROJ] southern limit, zone 1
        { -80, 173.9999, 59, false, 558130.2791, 1116915.1440 },    // [PROJ] southern limit, at the 59/60 edge
    };

    [Theory]
    [MemberData(nameof(UtmReferences))]
    public void Forward_PublishedUtmReference_MatchesToOneMetre(double lat, double lon, int zone, bool north, double easting, double northing)
    {
        var p = UtmUps.Forward(lat, lon);

        Assert.Equal(zone, p.Zone);
        Assert.Equal(north, p.North);
        Assert.Equal(easting, p.Easting, Tolerance);
        Assert.Equal(northing, p.Northing, Tolerance);
    }

    public static TheoryData<double, double, bool, double, double> UpsReferences => new()
    {
        { 84.0001, 0.5, true, 2005818.1258, 1333308.8145 },        // [PROJ] just north of the UTM limit
        { -80.0001, -179.5, false, 1990287.8900, 887102.4243 },    // [PROJ] just south of the UTM limit
        { 90, 0, true, 2_000_000, 2_000_000 },                     // the North Pole
        { -90, 0, false, 2_000_000, 2_000_000 },                   // the South Pole
        { 85.49868485, -90, true, 1500000.0072, 2000000 },         // [P] + [PROJ]
        { 84.974211, 174.289458, true, 2055555.0026, 2555555.0339 }, // [P] + [PROJ]
        { -87.5, 45, false, 2196294.1174, 2196294.1174 },          // [PROJ]
    };

    [Theory]
    [MemberData(nameof(UpsReferences))]
    public void Forward_BeyondUtmLimits_IsUpsMatchingReferenceToOneMetre(double lat, double lon, bool north, double easting, double northing)
    {
        var p = UtmUps.Forward(lat, lon);

        Assert.True(p.IsPolar);
        Assert.Equal(north, p.North);
        Assert.Equal(easting, p.Easting, Tolerance);
        Assert.Equal(northing, p.Northing, Tolerance);
    }

    [Fact]
    public void ToUtmAndToUps_CapeMorrisJesupGeographicLibExample_MatchToOneMetre()
    {
        var (lat, lon) = (83 + 37 / 60.0 + 39 / 3600.0, -(32 + 39 / 60.0 + 52 / 3600.0));

        var utm = UtmUps.ToUtm(lat, lon, 25);
        var ups = UtmUps.ToUps(lat, lon);

        // [GL]: "25n 504158 9286521" and "n 1617772 1403805", both rounded to the metre.
        Assert.Equal(504158, utm.Easting, Tolerance);
        Assert.Equal(9286521, utm.Northing, Tolerance);
        Assert.Equal(1617772, ups.Easting, Tolerance);
        Assert.Equal(1403805, ups.Northing, Tolerance);
    }

    [Theory]
    [InlineData(0, 0, "31N AA 66021 00000")]             // [V]
    [InlineData(1, 1, "31N BB 77438 10597")]             // [V]
    [InlineData(-1, -1, "30M YD 22561 89402")]           // [V]
    [InlineData(48.8583, 2.2945, "31U DQ 48251 11943")]  // [V]
    [InlineData(-33.857, 151.215, "56H LH 34873 52266")] // [V]
    [InlineData(38.8977, -77.0365, "18S UJ 23394 07395")] // [V]
    [InlineData(-22.9519, -43.2106, "23K PQ 83466 60687")] // [V]
    [InlineData(60.39135, 5.3249, "32V KN 97508 00645")] // [V]
    [InlineData(0.13, -0.2324, "30N ZF 08084 14385")]    // [IBM] #02
    [InlineData(-45.6456, 23.3545, "34G FQ 83473 42631")] // [IBM] #03
    [InlineData(-12.765, -33.8765, "25L DF 04859 88691")] // [IBM] #04
    [InlineData(23.4578, -135.4545, "08Q ML 53580 94272")] // [IBM] #09
    [InlineData(77.345, 156.9876, "57X VF 50793 86116")] // [IBM] #10
    [InlineData(90, 0, "Z AH 00000 00000")]              // [P] North Pole
    [InlineData(-90, 0, "B AN 00000 00000")]             // South Pole
    [InlineData(85.49868485, -90, "Y TH 00000 00000")]   // [P]
    [InlineData(84.974211, 174.289458, "Z AN 55555 55555")] // [P]
    public void FromLatLon_PublishedReference_GivesTheSameOneMetreSquare(double lat, double lon, string expected)
    {
        Assert.Equal(expected, Mgrs.FromLatLon(lat, lon));
    }

    [Theory]
    [InlineData(84.0, 0.5, "31X")]    // 84°N is still UTM, band X
    [InlineData(84.0001, 0.5, "Z ")]  // beyond: UPS north, east of 0°
    [InlineData(-80.0, -179.5, "01C")] // 80°S is still UTM, band C
    [InlineData(-80.0001, -179.5, "A ")] // beyond: UPS south, west of 0°
    public void FromLatLon_AtThePolarLimits_SwitchesBetweenUtmAndUps(double lat, double lon, string prefix)
    {
        Assert.StartsWith(prefix, Mgrs.FromLatLon(lat, lon), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(60, 4, 32)]  // [V] Norway 31 -> 32
    [InlineData(75, 8, 31)]  // [V] Svalbard 32 -> 31
    [InlineData(75, 10, 33)] // [V] Svalbard 32 -> 33
    [InlineData(75, 20, 33)] // [V] Svalbard 34 -> 33
    [InlineData(75, 22, 35)] // [V] Svalbard 34 -> 35
    [InlineData(75, 32, 35)] // [V] Svalbard 36 -> 35
    [InlineData(75, 34, 37)] // [V] Svalbard 36 -> 37
    [InlineData(50, 180, 1)] // 180° is 180°W
    [InlineData(50, -180, 1)]
    [InlineData(50, 179.99, 60)]
    public void StandardZone_NorwaySvalbardAndAntimeridian_FollowTheRules(double lat, double lon, int zone)
    {
        Assert.Equal(zone, UtmUps.StandardZone(lat, lon));
    }

    [Theory]
    [InlineData(48.8583, 2.2945, 4, "31U DQ 4825 1194")]
    [InlineData(48.8583, 2.2945, 2, "31U DQ 48 11")]
    [InlineData(48.8583, 2.2945, 0, "31U DQ")]
    public void FromLatLon_FewerDigits_TruncatesToTheLargerSquare(double lat, double lon, int digits, string expected)
    {
        Assert.Equal(expected, Mgrs.FromLatLon(lat, lon, digits));
    }

    [Theory]
    [InlineData(91, 0)]
    [InlineData(double.NaN, 0)]
    [InlineData(0, double.PositiveInfinity)]
    public void FromLatLon_InvalidCoordinates_Throw(double lat, double lon)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Mgrs.FromLatLon(lat, lon));
    }
}
