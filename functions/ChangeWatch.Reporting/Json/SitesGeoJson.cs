using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using ChangeWatch.Core.Reporting;

namespace ChangeWatch.Reporting.Json;

/// <summary>
/// <c>sites.geojson</c>: an RFC 7946 FeatureCollection (WGS84 longitude/latitude, the default CRS, so QGIS and other GIS
/// open it as is) with one Feature per site, in report order. A site's geometry is its
/// <see cref="SiteModel.Outline"/> as a Polygon (exterior ring anticlockwise), or null when the scene is not
/// georeferenced. Properties: the site's id, track id, first sighting (scene and time) and number of history entries,
/// status, verdict, analyst, change type, probability, assessment, MGRS,
/// centroid, area, changed pixels, object counts before and after (null when not measured), tiles, scene bounds, max
/// shift, masked fraction; and the report's AOI, scene,
/// baseline, acquisition times, model version and report status. The same model gives the same bytes.
/// </summary>
public static class SitesGeoJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    /// <summary>Serialises the sites of <paramref name="report"/> as UTF-8 GeoJSON.</summary>
    public static byte[] Serialize(ReportModel report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("type", "FeatureCollection");
            w.WriteStartArray("features");
            foreach (var site in report.Sites)
            {
                WriteFeature(w, report, site);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteFeature(Utf8JsonWriter w, ReportModel report, SiteModel site)
    {
        w.WriteStartObject();
        w.WriteString("type", "Feature");
        w.WriteString("id", site.Id);
        if (site.Outline is { Count: >= 4 } outline)
        {
            w.WriteStartObject("geometry");
            w.WriteString("type", "Polygon");
            w.WriteStartArray("coordinates");
            w.WriteStartArray();
            foreach (var point in outline)
            {
                w.WriteStartArray();
                w.WriteNumberValue(point.Longitude);
                w.WriteNumberValue(point.Latitude);
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("geometry");
        }

        w.WriteStartObject("properties");
        w.WriteString("siteId", site.Id);
        WriteStringOrNull(w, "trackId", site.TrackId);
        WriteStringOrNull(w, "firstSeenSceneId", site.FirstSeen?.SceneId);
        if (site.FirstSeen is { } first)
        {
            w.WriteString("firstSeenAt", first.AcquiredAt);
        }
        else
        {
            w.WriteNull("firstSeenAt");
        }

        w.WriteNumber("historyEntries", site.History.Count);
        w.WriteString("status", site.Status);
        WriteStringOrNull(w, "verdict", site.Review?.Verdict);
        WriteStringOrNull(w, "analyst", site.Review?.Analyst);
        w.WriteString("changeType", site.ChangeType);
        w.WriteNumber("probability", site.Probability);
        w.WriteString("assessment", site.Assessment);
        WriteStringOrNull(w, "mgrs", site.Mgrs);
        WriteNumberOrNull(w, "latitude", site.Latitude);
        WriteNumberOrNull(w, "longitude", site.Longitude);
        WriteNumberOrNull(w, "areaSquareMetres", site.AreaSquareMetres);
        w.WriteNumber("changedPixels", site.ChangedPixels);
        WriteNumberOrNull(w, "objectsBefore", site.Objects?.Before);
        WriteNumberOrNull(w, "objectsAfter", site.Objects?.After);
        w.WriteString("tiles", string.Join(' ', site.Tiles));
        w.WriteString("sceneBounds", $"{site.SceneBounds.X} {site.SceneBounds.Y} {site.SceneBounds.Width} {site.SceneBounds.Height}");
        w.WriteNumber("maxShift", site.MaxShift);
        WriteNumberOrNull(w, "maxResidual", site.MaxResidual);
        w.WriteNumber("maskedFraction", site.MaskedFraction);
        WriteNumberOrNull(w, "cloudMaskedFraction", site.CloudMaskedFraction);
        w.WriteString("aoi", report.Aoi);
        w.WriteString("sceneId", report.Scene.SceneId);
        w.WriteString("sceneAcquiredAt", report.Scene.AcquiredAt);
        WriteStringOrNull(w, "baselineId", report.Baseline?.SceneId);
        if (report.Baseline is { } baseline)
        {
            w.WriteString("baselineAcquiredAt", baseline.AcquiredAt);
        }
        else
        {
            w.WriteNull("baselineAcquiredAt");
        }

        WriteStringOrNull(w, "modelVersion", report.ModelVersion);
        w.WriteString("reportStatus", report.Status);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
