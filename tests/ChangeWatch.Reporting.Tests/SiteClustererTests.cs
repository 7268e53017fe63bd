using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Reporting;

namespace ChangeWatch.Reporting.Tests;

public sealed class SiteClustererTests
{
    private static readonly ScenePlacement AtOrigin = new(0, 0, 1000, 1000);

    private readonly FakeGeoLocator _geo = new();

    private IReadOnlyList<SiteModel> Cluster(params TileResult[] tiles) =>
        new SiteClusterer(_geo).Cluster(Some.Grid(), AtOrigin, null, null, tiles);

    [Fact]
    public void Cluster_EveryTileCounted_SiteSumsBeforeAndAfter()
    {
        var site = Assert.Single(Cluster(
            Some.Tile(0, 0, objects: new ObjectCounts(2, 9)),
            Some.Tile(0, 1, objects: new ObjectCounts(1, 14))));

        Assert.Equal(new ObjectCounts(3, 23), site.Objects);
    }

    [Fact]
    public void Cluster_OneTileOfTheSiteNotCounted_SiteObjectsAreNotMeasured()
    {
        var sites = Cluster(
            Some.Tile(0, 0, objects: new ObjectCounts(2, 9)),
            Some.Tile(0, 1),
            Some.Tile(3, 3, objects: new ObjectCounts(0, 0)));

        Assert.Null(sites.Single(s => s.Tiles.Contains("0_0")).Objects);
        Assert.Equal(new ObjectCounts(0, 0), sites.Single(s => s.Tiles.Contains("3_3")).Objects);
    }

    [Fact]
    public void Cluster_UnflaggedTileWithCounts_DoesNotAddToTheSite()
    {
        var site = Assert.Single(Cluster(
            Some.Tile(0, 0, objects: new ObjectCounts(4, 10)),
            Some.Tile(0, 1, flagged: false, objects: new ObjectCounts(50, 50))));

        Assert.Equal(new ObjectCounts(4, 10), site.Objects);
    }

    [Fact]
    public void Cluster_TilesWithResidualsAndCloudMasks_SiteTakesLargestResidualAndMeanCloudMaskedFraction()
    {
        var site = Assert.Single(Cluster(
            Some.Tile(0, 0, residual: 0.3, cloud: 0.10, shadow: 0.02),
            Some.Tile(0, 1, residual: null, cloud: 0, shadow: 0.04),
            Some.Tile(1, 1, residual: 1.25, cloud: 0.20, shadow: 0)));

        Assert.Equal(1.25, site.MaxResidual);
        Assert.Equal(0.12, site.CloudMaskedFraction!.Value, 9);
    }

    [Fact]
    public void Cluster_NoResidualAndOneTileNotCheckedForClouds_BothNotMeasured()
    {
        var site = Assert.Single(Cluster(
            Some.Tile(0, 0, cloud: 0.3, shadow: 0),
            Some.Tile(0, 1)));

        Assert.Null(site.MaxResidual);
        Assert.Null(site.CloudMaskedFraction);
    }

    [Fact]
    public void Cluster_EdgeAdjacentTiles_MergeIntoOneSite()
    {
        var sites = Cluster(
            Some.Tile(0, 0, bounds: new PixelWindow(200, 10, 24, 20), changedPixels: 300),
            Some.Tile(0, 1, bounds: new PixelWindow(224, 12, 30, 30), changedPixels: 500));

        var site = Assert.Single(sites);
        Assert.Equal(["0_0", "0_1"], site.Tiles);
        Assert.Equal(new PixelWindow(200, 10, 54, 32), site.GridBounds);
        Assert.Equal(800, site.ChangedPixels);
    }

    [Fact]
    public void Cluster_DiagonalTiles_MergeIntoOneSite()
    {
        var site = Assert.Single(Cluster(Some.Tile(0, 0), Some.Tile(1, 1)));

        Assert.Equal(["0_0", "1_1"], site.Tiles);
    }

    [Fact]
    public void Cluster_TilesOneColumnApart_StaySeparateSites()
    {
        var sites = Cluster(Some.Tile(0, 0), Some.Tile(0, 2), Some.Tile(3, 0));

        Assert.Equal(3, sites.Count);
        Assert.All(sites, s => Assert.Single(s.Tiles));
    }

    [Fact]
    public void Cluster_AnyInputOrder_GivesIdsByProbabilityThenPosition()
    {
        TileResult[] tiles =
        [
            Some.Tile(2, 2, probability: 0.7),
            Some.Tile(0, 3, probability: 0.9),
            Some.Tile(0, 0, probability: 0.7),
            Some.Tile(4, 0, probability: 0.95),
        ];

        var forward = Cluster(tiles);
        var backward = Cluster([.. tiles.Reverse()]);

        Assert.Equal(["S1", "S2", "S3", "S4"], forward.Select(s => s.Id));
        Assert.Equal(["4_0", "0_3", "0_0", "2_2"], forward.Select(s => s.Tiles[0]));
        Assert.Equal(forward.Select(s => (s.Id, s.Tiles[0])), backward.Select(s => (s.Id, s.Tiles[0])));
        Assert.Equal("chips/S2-before.png", forward[1].BeforeChip);
        Assert.Equal("chips/S2-after.png", forward[1].AfterChip);
    }

    [Fact]
    public void Cluster_SiteOfSeveralTiles_TakesMaxProbabilityMostFrequentTypeMaxShiftMeanMask()
    {
        var site = Assert.Single(Cluster(
            Some.Tile(0, 0, probability: 0.7, changeType: "earthworks", masked: 0.1, shiftX: 3, shiftY: 4),
            Some.Tile(0, 1, probability: 0.96, changeType: "object-build-up", masked: 0.2),
            Some.Tile(1, 0, probability: 0.65, changeType: "earthworks", masked: 0.3, shiftX: 1)));

        Assert.Equal(0.96, site.Probability);
        Assert.Equal("earthworks", site.ChangeType);
        Assert.Equal(5.0, site.MaxShift, 9);
        Assert.Equal(0.2, site.MaskedFraction, 9);
        Assert.Equal("assessed as almost certain change of interest (earthworks)", site.Assessment);
    }

    [Fact]
    public void Cluster_UnflaggedOrUnassessableTiles_AreIgnored()
    {
        var site = Assert.Single(Cluster(
            Some.Tile(0, 0),
            Some.Tile(0, 1, flagged: false),
            Some.Tile(0, 2, assessable: false)));

        Assert.Equal(["0_0"], site.Tiles);
    }

    [Fact]
    public void Cluster_TileWithoutChangeBounds_UsesItsCoreClippedToTheScene()
    {
        var placement = new ScenePlacement(0, 0, 300, 1000);

        var site = Assert.Single(new SiteClusterer(_geo).Cluster(Some.Grid(), placement, null, null, [Some.Tile(0, 1)]));

        Assert.Equal(new PixelWindow(224, 0, 76, 224), site.GridBounds);
    }

    [Fact]
    public void Cluster_ScenePlacedOffOrigin_SceneBoundsAreShifted()
    {
        var placement = new ScenePlacement(100, 50, 600, 600);

        var site = Assert.Single(new SiteClusterer(_geo).Cluster(Some.Grid(), placement, null, null,
            [Some.Tile(1, 1, bounds: new PixelWindow(300, 260, 10, 8), changedPixels: 40)]));

        Assert.Equal(new PixelWindow(300, 260, 10, 8), site.GridBounds);
        Assert.Equal(new PixelWindow(200, 210, 10, 8), site.SceneBounds);
    }

    [Fact]
    public void Cluster_GroundSampleDistanceKnown_AreaIsPixelsTimesGsdSquared()
    {
        var site = Assert.Single(new SiteClusterer(_geo).Cluster(Some.Grid(), AtOrigin, Some.Utm(pixel: 10), 0.5,
            [Some.Tile(0, 0, changedPixels: 100), Some.Tile(0, 1, changedPixels: 50)]));

        Assert.Equal(37.5, site.AreaSquareMetres);
    }

    [Fact]
    public void Cluster_NoGsdButProjectedGeotransform_AreaUsesPixelSize()
    {
        var site = Assert.Single(new SiteClusterer(_geo).Cluster(Some.Grid(), AtOrigin, Some.Utm(pixel: 10), null,
            [Some.Tile(0, 0, changedPixels: 150)]));

        Assert.Equal(15_000, site.AreaSquareMetres);
    }

    [Fact]
    public void Cluster_NoGsdAndGeographicCoordinates_AreaIsUnknown()
    {
        var wgs84 = new GeoReference(4326, new GeoTransform(16, 0.0001, 0, 48, 0, -0.0001));

        var site = Assert.Single(new SiteClusterer(_geo).Cluster(Some.Grid(), AtOrigin, wgs84, null,
            [Some.Tile(0, 0, changedPixels: 150)]));

        Assert.Null(site.AreaSquareMetres);
    }

    [Fact]
    public void Cluster_Georeferenced_LocatesTheChangedPixelWeightedCentroid()
    {
        // Scene placed at grid (224, 0); its own transform starts there. One change crossing the border of tiles (0, 1)
        // and (0, 2): boxes centred at grid (444, 25) weight 300 and (452, 33) weight 100: centroid (446, 27) grid =
        // (222, 27) scene px = (502 220, 3 999 730) map.
        var placement = new ScenePlacement(224, 0, 600, 600);

        var site = Assert.Single(new SiteClusterer(_geo).Cluster(Some.Grid(), placement, Some.Utm(), null,
        [
            Some.Tile(0, 1, bounds: new PixelWindow(440, 20, 8, 10), changedPixels: 300),
            Some.Tile(0, 2, bounds: new PixelWindow(448, 28, 8, 10), changedPixels: 100),
        ]));

        // The centroid first, then the four corners of the outline.
        Assert.Equal(5, _geo.Calls.Count);
        var call = _geo.Calls[0];
        Assert.Equal(32633, call.Epsg);
        Assert.Equal(502_220, call.X, 6);
        Assert.Equal(3_999_730, call.Y, 6);
        Assert.Equal(call.Y / 100_000, site.Latitude);
        Assert.Equal(call.X / 100_000, site.Longitude);
    }

    [Fact]
    public void Cluster_SeparateChangesInNeighbouringTiles_StayTwoSites()
    {
        // Tiles (0, 0) and (1, 1) touch at a corner, but their changes are 100 px apart: two sites, not one.
        var sites = Cluster(
            Some.Tile(0, 0, bounds: new PixelWindow(20, 20, 10, 10)),
            Some.Tile(1, 1, bounds: new PixelWindow(330, 330, 10, 10)));

        Assert.Equal(2, sites.Count);
    }

    [Fact]
    public void Cluster_FlaggedNeighbourWithoutCoreChange_JoinsWithoutWideningTheBounds()
    {
        var site = Assert.Single(Cluster(
            Some.Tile(0, 0, bounds: new PixelWindow(200, 20, 20, 10)),
            Some.Tile(0, 1, bounds: null, changedPixels: 0)));

        Assert.Equal(new PixelWindow(200, 20, 20, 10), site.GridBounds);
        Assert.Equal(["0_0", "0_1"], site.Tiles);
    }

    [Fact]
    public void Cluster_ChangeCrossingADiagonalCorner_IsOneSite()
    {
        var sites = Cluster(
            Some.Tile(0, 0, bounds: new PixelWindow(210, 210, 14, 14)),
            Some.Tile(1, 1, bounds: new PixelWindow(224, 224, 10, 10)));

        Assert.Single(sites);
    }

    [Fact]
    public void Cluster_NotGeoreferenced_HasNoLatitudeLongitude()
    {
        var site = Assert.Single(Cluster(Some.Tile(0, 0)));

        Assert.Null(site.Latitude);
        Assert.Null(site.Longitude);
        Assert.Empty(_geo.Calls);
    }

    [Fact]
    public void Cluster_UnsupportedCoordinateSystem_HasNoLatitudeLongitude()
    {
        var other = new GeoReference(3857, new GeoTransform(0, 10, 0, 0, 0, -10));

        var site = Assert.Single(new SiteClusterer(_geo).Cluster(Some.Grid(), AtOrigin, other, null, [Some.Tile(0, 0)]));

        Assert.Null(site.Latitude);
        Assert.Null(site.Mgrs);
        Assert.Null(site.Outline);
        Assert.Equal(3857, _geo.Calls[0].Epsg);
    }

    [Fact]
    public void Cluster_Georeferenced_GivesTheCentroidsMgrsAndAClosedAnticlockwiseOutlineOfTheBounds()
    {
        // Change at grid (440, 20)-(456, 46); scene placed at grid (224, 0): scene px (216, 20)-(232, 46); map
        // x = 500 000 + 10 px, y = 4 000 000 - 10 py; the fake maps (x, y) to (lat, lon) = (y, x) / 100 000.
        var site = Assert.Single(new SiteClusterer(_geo).Cluster(Some.Grid(), new ScenePlacement(224, 0, 600, 600), Some.Utm(), null,
        [
            Some.Tile(0, 1, bounds: new PixelWindow(440, 20, 8, 10), changedPixels: 300),
            Some.Tile(0, 2, bounds: new PixelWindow(448, 28, 8, 18), changedPixels: 100),
        ]));

        Assert.Equal(Core.Geography.Mgrs.FromLatLon(site.Latitude!.Value, site.Longitude!.Value), site.Mgrs);
        Assert.StartsWith("31S ", site.Mgrs, StringComparison.Ordinal);
        Assert.Equal(
            [
                new GeoPoint(5.0216, 39.998), new GeoPoint(5.0216, 39.9954), new GeoPoint(5.0232, 39.9954),
                new GeoPoint(5.0232, 39.998), new GeoPoint(5.0216, 39.998),
            ],
            site.Outline!.Select(p => new GeoPoint(Math.Round(p.Longitude, 9), Math.Round(p.Latitude, 9))));
    }

    [Fact]
    public void Cluster_SameTileTwice_Throws() =>
        Assert.Throws<ArgumentException>(() => Cluster(Some.Tile(0, 0), Some.Tile(0, 0)));

    [Fact]
    public void Cluster_NothingFlagged_GivesNoSites() =>
        Assert.Empty(Cluster(Some.Tile(0, 0, flagged: false)));
}
