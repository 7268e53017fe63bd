using ChangeWatch.Imaging.Geo;

namespace ChangeWatch.Imaging.Tests;

public sealed class ProjNetGeoLocatorTests
{
    // 1e-5 degrees is about 1.1 m of latitude.
    private const double DegreeTolerance = 1e-5;

    /// <summary>
    /// Reference points. The first is the PROJ manual's UTM example (12°E 55°N -> 691875.63 E, 6098907.83 N in zone 32,
    /// GRS80, which differs from WGS84 by well under a millimetre here); the false-origin points follow from the UTM
    /// definition; the rest were converted with PROJ 9 (cs2cs EPSG:4326 -> EPSG:code) to 0.1 mm.
    /// </summary>
    public static TheoryData<int, double, double, double, double> ReferencePoints() => new()
    {
        { 32632, 691875.63, 6098907.83, 55, 12 },
        { 32633, 500000, 0, 0, 15 },
        { 32733, 500000, 10000000, 0, 15 },
        { 32756, 334900.5697, 6252288.7529, -33.8568, 151.2153 },
        { 32723, 687394.5933, 7465634.1277, -22.9068, -43.1729 },
        { 32618, 583959.3723, 4507350.9982, 40.7128, -74.0060 },
        { 32640, 234124.8809, 2707001.2912, 24.4539, 54.3773 },
        { 32633, 514278.7151, 8683355.4695, 78.2232, 15.6267 },
        { 32758, 539201.9279, 1358225.3755, -77.8463, 166.6682 },
        { 3857, 255422.5716, 6250868.9015, 48.8584, 2.2945 },
        { 3857, -6499009.9837, -4110155.1261, -34.6037, -58.3816 },
    };

    [Theory]
    [MemberData(nameof(ReferencePoints))]
    public void TryToWgs84_PublishedReferencePoint_MatchesWithinOneMetre(int epsg, double x, double y, double latitude, double longitude)
    {
        var locator = new ProjNetGeoLocator();

        Assert.True(locator.TryToWgs84(epsg, x, y, out var lat, out var lon));

        Assert.InRange(lat, latitude - DegreeTolerance, latitude + DegreeTolerance);
        Assert.InRange(lon, longitude - DegreeTolerance, longitude + DegreeTolerance);
    }

    [Fact]
    public void TryToWgs84_Epsg4326_ReadsXAsLongitudeAndYAsLatitude()
    {
        var locator = new ProjNetGeoLocator();

        Assert.True(locator.TryToWgs84(4326, 54.54, 24.37, out var lat, out var lon));

        Assert.Equal((24.37, 54.54), (lat, lon));
    }

    [Theory]
    [InlineData(2154)]
    [InlineData(32600)]
    [InlineData(32661)]
    [InlineData(32700)]
    [InlineData(0)]
    public void TryToWgs84_UnsupportedSystem_ReturnsFalse(int epsg)
    {
        Assert.False(new ProjNetGeoLocator().TryToWgs84(epsg, 500000, 4000000, out _, out _));
    }

    [Fact]
    public void TryToWgs84_ConcurrentCallsOnManyZones_AgreeWithSequentialOnes()
    {
        var locator = new ProjNetGeoLocator();
        var zones = Enumerable.Range(32601, 60).Concat(Enumerable.Range(32701, 60)).ToArray();
        var expected = zones.Select(z => locator.TryToWgs84(z, 400000, 3000000, out var la, out var lo) ? (la, lo) : (double.NaN, double.NaN)).ToArray();

        var fresh = new ProjNetGeoLocator();
        var actual = new (double, double)[zones.Length];
        Parallel.For(0, zones.Length, i => actual[i] = fresh.TryToWgs84(zones[i], 400000, 3000000, out var la, out var lo) ? (la, lo) : (double.NaN, double.NaN));

        Assert.Equal(expected, actual);
    }
}
