using System.Text;
using System.Text.Json;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Reporting.Json;

namespace ChangeWatch.Reporting.Tests;

public sealed class SitesGeoJsonTests
{
    private static JsonElement Parse(ReportModel report)
    {
        var bytes = new ReportRenderer().Render(report, Some.NoImagery()).Single(f => f.RelativePath == "sites.geojson").Content.ToArray();
        using var document = JsonDocument.Parse(bytes);
        return document.RootElement.Clone();
    }

    [Fact]
    public void Render_GeoreferencedSite_IsAPolygonFeatureWithLongitudeLatitudeRing()
    {
        var site = Some.Site("S1", new PixelWindow(10, 20, 30, 40), lat: 48.5, lon: 16.25);

        var root = Parse(Some.ChangeReport(null, site));

        Assert.Equal("FeatureCollection", root.GetProperty("type").GetString());
        var feature = Assert.Single(root.GetProperty("features").EnumerateArray());
        Assert.Equal("Feature", feature.GetProperty("type").GetString());
        var geometry = feature.GetProperty("geometry");
        Assert.Equal("Polygon", geometry.GetProperty("type").GetString());
        var ring = geometry.GetProperty("coordinates")[0].EnumerateArray()
            .Select(p => new GeoPoint(p[0].GetDouble(), p[1].GetDouble())).ToList();
        Assert.Equal(site.Outline, ring);
        Assert.Equal(ring[0], ring[^1]);
        Assert.True(SignedArea(ring) > 0, "RFC 7946: the exterior ring is anticlockwise.");
        Assert.All(ring, p => Assert.InRange(p.Longitude, 16.25, 16.251)); // [lon, lat] order, not [lat, lon]
    }

    [Fact]
    public void Render_Site_PropertiesCarryIdStatusMgrsProbabilityAndProvenance()
    {
        var site = Some.Site("S1", new PixelWindow(10, 20, 30, 40), lat: 48.5, lon: 16.25);

        var properties = Assert.Single(Parse(Some.ChangeReport(null, site)).GetProperty("features").EnumerateArray()).GetProperty("properties");

        Assert.Equal("S1", properties.GetProperty("siteId").GetString());
        Assert.Equal("candidate", properties.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, properties.GetProperty("verdict").ValueKind);
        Assert.Equal(site.Mgrs, properties.GetProperty("mgrs").GetString());
        Assert.Equal(0.87, properties.GetProperty("probability").GetDouble());
        Assert.Equal(Some.SceneId.Value, properties.GetProperty("sceneId").GetString());
        Assert.Equal(Some.BaselineId.Value, properties.GetProperty("baselineId").GetString());
        Assert.Equal("v1", properties.GetProperty("modelVersion").GetString());
    }

    [Fact]
    public void Render_SitesWithAndWithoutCounts_PropertiesGiveCountsOrNull()
    {
        var report = Some.ChangeReport(null,
            Some.Site("S1", new PixelWindow(10, 20, 30, 40)) with { Objects = new Core.Domain.ObjectCounts(5, 17) },
            Some.Site("S2", new PixelWindow(90, 20, 30, 40)));

        var features = Parse(report).GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties")).ToList();

        Assert.Equal(5, features[0].GetProperty("objectsBefore").GetInt32());
        Assert.Equal(17, features[0].GetProperty("objectsAfter").GetInt32());
        Assert.Equal(JsonValueKind.Null, features[1].GetProperty("objectsBefore").ValueKind);
        Assert.Equal(JsonValueKind.Null, features[1].GetProperty("objectsAfter").ValueKind);
    }

    [Fact]
    public void Render_SitesWithAndWithoutResidualAndCloudMask_PropertiesGiveThemOrNull()
    {
        var report = Some.ChangeReport(null,
            Some.Site("S1", new PixelWindow(10, 20, 30, 40)) with { MaxResidual = 0.8, CloudMaskedFraction = 0.25 },
            Some.Site("S2", new PixelWindow(90, 20, 30, 40)));

        var features = Parse(report).GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties")).ToList();

        Assert.Equal(0.8, features[0].GetProperty("maxResidual").GetDouble());
        Assert.Equal(0.25, features[0].GetProperty("cloudMaskedFraction").GetDouble());
        Assert.Equal(JsonValueKind.Null, features[1].GetProperty("maxResidual").ValueKind);
        Assert.Equal(JsonValueKind.Null, features[1].GetProperty("cloudMaskedFraction").ValueKind);
    }

    [Fact]
    public void Render_TrackedAndUntrackedSites_PropertiesGiveTrackAndFirstSightingOrNull()
    {
        var report = Some.ChangeReport(null,
            Some.Tracked(Some.Site("S1", new PixelWindow(10, 20, 30, 40))),
            Some.Site("S2", new PixelWindow(90, 20, 30, 40)));

        var features = Parse(report).GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties")).ToList();

        Assert.Equal(Some.BaselineId.Value + "-S2", features[0].GetProperty("trackId").GetString());
        Assert.Equal(Some.BaselineId.Value, features[0].GetProperty("firstSeenSceneId").GetString());
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 9, 30, 0, TimeSpan.Zero), features[0].GetProperty("firstSeenAt").GetDateTimeOffset());
        Assert.Equal(3, features[0].GetProperty("historyEntries").GetInt32());
        Assert.Equal(JsonValueKind.Null, features[1].GetProperty("trackId").ValueKind);
        Assert.Equal(JsonValueKind.Null, features[1].GetProperty("firstSeenAt").ValueKind);
        Assert.Equal(0, features[1].GetProperty("historyEntries").GetInt32());
    }

    [Fact]
    public void Render_SiteWithoutGeoreference_HasNullGeometry()
    {
        var root = Parse(Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4), lat: null, lon: null)));

        Assert.Equal(JsonValueKind.Null, Assert.Single(root.GetProperty("features").EnumerateArray()).GetProperty("geometry").ValueKind);
    }

    [Fact]
    public void Render_BaselineReport_IsAnEmptyFeatureCollection()
    {
        var root = Parse(Some.BaselineReport());

        Assert.Equal("FeatureCollection", root.GetProperty("type").GetString());
        Assert.Empty(root.GetProperty("features").EnumerateArray());
    }

    [Fact]
    public void Serialize_HostileAnalystName_StaysOneJsonString()
    {
        var site = Some.Site("S1", new PixelWindow(1, 2, 3, 4)) with
        {
            Status = "confirmed",
            Review = new SiteReviewEntry("confirmed", "\"}],<script>", DateTimeOffset.UnixEpoch, null),
        };

        var text = Encoding.UTF8.GetString(SitesGeoJson.Serialize(Some.ChangeReport(null, site)));
        using var document = JsonDocument.Parse(text);

        Assert.Equal("\"}],<script>", document.RootElement.GetProperty("features")[0].GetProperty("properties").GetProperty("analyst").GetString());
        Assert.DoesNotContain("<script>", text, StringComparison.Ordinal);
    }

    // Shoelace formula in (lon, lat): positive for an anticlockwise ring.
    private static double SignedArea(IReadOnlyList<GeoPoint> ring)
    {
        var sum = 0.0;
        for (var i = 0; i < ring.Count - 1; i++)
        {
            sum += ring[i].Longitude * ring[i + 1].Latitude - ring[i + 1].Longitude * ring[i].Latitude;
        }

        return sum / 2;
    }
}
