using System.Globalization;

namespace ChangeWatch.Core.Reporting;

/// <summary>The file names of a report, relative to its folder <c>reports/{aoi}/{sceneId}/</c>.</summary>
public static class ReportPaths
{
    /// <summary>The machine-readable report.</summary>
    public const string Json = "report.json";

    /// <summary>The self-contained analyst page.</summary>
    public const string Html = "report.html";

    /// <summary>The sites as a GeoJSON FeatureCollection (WGS84).</summary>
    public const string GeoJson = "sites.geojson";

    /// <summary>The scene overview with site outlines.</summary>
    public const string Overview = "overview.png";

    /// <summary><c>chips/{siteId}-before.png</c>: the baseline chip of a site.</summary>
    public static string BeforeChip(string siteId) => string.Create(CultureInfo.InvariantCulture, $"chips/{siteId}-before.png");

    /// <summary><c>chips/{siteId}-after.png</c>: the new scene's chip of a site, change outline drawn.</summary>
    public static string AfterChip(string siteId) => string.Create(CultureInfo.InvariantCulture, $"chips/{siteId}-after.png");
}
