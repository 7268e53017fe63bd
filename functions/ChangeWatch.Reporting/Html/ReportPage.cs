using System.Globalization;
using System.Text;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Reporting;

namespace ChangeWatch.Reporting.Html;

/// <summary>The encoded images a page embeds.</summary>
/// <param name="OverviewPng">The overview PNG, or null.</param>
/// <param name="OverviewWidth">Overview width in pixels.</param>
/// <param name="OverviewHeight">Overview height in pixels.</param>
/// <param name="OverviewScale">Scene pixels per overview pixel.</param>
/// <param name="Chips">Before and after PNGs by site id.</param>
internal sealed record PageImages(
    byte[]? OverviewPng, int OverviewWidth, int OverviewHeight, double OverviewScale,
    IReadOnlyDictionary<string, (byte[] Before, byte[] After)> Chips);

/// <summary>
/// Writes <c>report.html</c>: one self-contained page (inline CSS, images as <c>data:</c> URIs, no script, a
/// Content-Security-Policy that forbids everything else) in which every value from the model is HTML-escaped.
/// </summary>
internal static class ReportPage
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private const string Css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1b1f24;background:#fff}
        h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
        .banner{background:#fff4ce;border:1px solid #d4a72c;padding:8px 12px;font-weight:600;margin:8px 0 16px}
        .note{background:#ddf4ff;border:1px solid #54aeff;padding:8px 12px;margin:8px 0}
        table{border-collapse:collapse;width:100%;margin:4px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
        .mono{font-family:ui-monospace,SFMono-Regular,Consolas,monospace;font-size:12px;word-break:break-all}
        .overview{position:relative;display:inline-block;max-width:100%}.overview img{display:block;max-width:100%;height:auto;image-rendering:pixelated}
        .overview svg{position:absolute;left:0;top:0;width:100%;height:100%}
        .chips{display:flex;gap:16px;flex-wrap:wrap;margin:8px 0 20px}.chips figure{margin:0}.chips img{width:320px;max-width:100%;image-rendering:pixelated;border:1px solid #d0d7de}
        figcaption{font-size:12px;color:#57606a}.verdict{font-weight:600}.nw{white-space:nowrap;word-break:normal}.wide{overflow-x:auto}
        """;

    public static byte[] Write(ReportModel report, PageImages images)
    {
        var isBaseline = string.Equals(report.Kind, ReportKinds.BaselineRegistered, StringComparison.Ordinal);
        var h = new StringBuilder(16 * 1024);
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>ChangeWatch report: ").Append(E(report.Aoi)).Append(" / ").Append(E(report.Scene.SceneId)).Append("</title>\n")
            .Append("<style>\n").Append(Css).Append("\n</style>\n</head>\n<body>\n");

        h.Append("<div class=\"banner\">Status: ").Append(E(StatusText(report))).Append("</div>\n");
        h.Append("<h1>").Append(isBaseline ? "Baseline registered" : "Change report").Append(": AOI ").Append(E(report.Aoi)).Append("</h1>\n");
        if (isBaseline)
        {
            h.Append("<p class=\"note\">This scene is registered as the baseline of AOI <b>").Append(E(report.Aoi))
                .Append("</b>. Later scenes of this AOI will be compared with it; this report assesses no change.</p>\n");
        }

        WriteSummary(h, report, isBaseline);
        WriteOverview(h, report, images, isBaseline);
        if (!isBaseline)
        {
            WriteSites(h, report);
            WriteChips(h, report, images);
        }

        WriteCaveats(h, report);
        WriteProvenance(h, report);
        h.Append("<p><small>Generated ").Append(E(Time(report.ReportedAt))).Append(" by ChangeWatch ")
            .Append(E(report.CodeVersion)).Append(". Schema ").Append(E(report.SchemaVersion)).Append(".</small></p>\n");
        h.Append("</body>\n</html>\n");
        return Encoding.UTF8.GetBytes(h.ToString());
    }

    private static void WriteSummary(StringBuilder h, ReportModel r, bool isBaseline)
    {
        h.Append("<h2>Summary</h2>\n<table>\n");
        Row(h, "AOI", E(r.Aoi));
        Row(h, "Kind", E(r.Kind));
        Row(h, "Status", E(StatusText(r)));
        Row(h, "Scene acquired", E(Acquired(r.Scene)));
        Row(h, "Baseline acquired", r.Baseline is null ? "none" : E(Acquired(r.Baseline)));
        Row(h, "Provider", Pair(r.Scene.Provider, r.Baseline?.Provider));
        Row(h, "Sensor", Pair(r.Scene.Sensor, r.Baseline?.Sensor));
        Row(h, "Ground sample distance", Pair(Gsd(r.Scene), r.Baseline is null ? null : Gsd(r.Baseline)));
        Row(h, "Scene size", E(string.Create(Inv, $"{r.Scene.Width} × {r.Scene.Height} px, {r.Scene.BandCount} band(s), {Epsg(r.Scene.Epsg)}")));
        if (!isBaseline)
        {
            Row(h, "Model", r.ModelVersion is null
                ? "none"
                : E(r.ModelVersion) + (r.ModelThreshold is { } t
                    ? E(r.ModelThresholdAdaptive is true ? string.Create(Inv, $" (flag threshold per tile from its scores, at least {t:0.###})") : string.Create(Inv, $" (flag threshold {t:0.###})"))
                    : string.Empty)
                  + (r.ModelSha256 is null ? string.Empty : "<br><span class=\"mono\">SHA-256 " + E(r.ModelSha256) + "</span>")
                  + (r.TypeModelVersion is null
                      ? "<br>change types: fixed rule"
                      : "<br>change types: " + E(r.TypeModelVersion)
                        + (r.TypeModelSha256 is null ? string.Empty : "<br><span class=\"mono\">SHA-256 " + E(r.TypeModelSha256) + "</span>"))
                  + (r.ObjectModelVersion is null
                      ? string.Empty
                      : "<br>object counts: " + E(r.ObjectModelVersion)
                        + (r.ObjectModelSha256 is null ? string.Empty : "<br><span class=\"mono\">SHA-256 " + E(r.ObjectModelSha256) + "</span>")));
            Row(h, "Sites", E(r.Sites.Count.ToString(Inv)));
            Row(h, "Highest probability", r.Sites.Count == 0 ? "none" : E(Percent(r.Sites.Max(s => s.Probability))));
        }

        Row(h, "Tiles", E(string.Create(Inv,
            $"{r.Tiles.Total} total, {r.Tiles.Assessable} assessable, {r.Tiles.NotAssessable} not assessable, {r.Tiles.Flagged} flagged")));
        if (r.Quality is { } q)
        {
            Row(h, "Co-registration", E(string.Create(Inv, $"shift up to {q.MaxShift:0.00} px, mean {q.MeanShift:0.00} px")));
            Row(h, "Masked", E(string.Create(Inv,
                $"{q.MeanMaskedFraction * 100:0.0} % of scored tiles' imaged area on average; {q.NotAssessableFraction * 100:0.0} % of tiles not assessable")));
        }

        Row(h, "Received", E(Time(r.ReceivedAt)));
        if (r.IngestedAt is { } ingested)
        {
            Row(h, "Ingested", E(Time(ingested)));
        }

        Row(h, "Reported", E(Time(r.ReportedAt) + string.Create(Inv, $" ({r.ProcessingSeconds:0.0} s after receipt)")));
        h.Append("</table>\n");
    }

    private static void WriteOverview(StringBuilder h, ReportModel r, PageImages images, bool isBaseline)
    {
        h.Append("<h2>Overview</h2>\n");
        if (images.OverviewPng is null)
        {
            h.Append("<p>No overview image is available.</p>\n");
            return;
        }

        h.Append("<div class=\"overview\"><img alt=\"Overview of the scene").Append(isBaseline ? string.Empty : " with site outlines")
            .Append("\" width=\"").Append(images.OverviewWidth.ToString(Inv)).Append("\" height=\"").Append(images.OverviewHeight.ToString(Inv))
            .Append("\" src=\"").Append(DataUri(images.OverviewPng)).Append("\">");
        if (!isBaseline && r.Sites.Count > 0)
        {
            var scale = images.OverviewScale;
            var fontSize = Math.Max(10, images.OverviewWidth / 50.0);
            h.Append("<svg viewBox=\"0 0 ").Append(images.OverviewWidth.ToString(Inv)).Append(' ').Append(images.OverviewHeight.ToString(Inv))
                .Append("\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"Site outlines\">");
            foreach (var site in r.Sites)
            {
                var b = site.SceneBounds;
                var x = b.X / scale;
                var y = b.Y / scale;
                var labelY = y > fontSize + 2 ? y - 3 : y + b.Height / scale + fontSize;
                h.Append(string.Create(Inv,
                        $"<rect x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{b.Width / scale:0.##}\" height=\"{b.Height / scale:0.##}\" fill=\"none\" stroke=\"#ffff00\" stroke-width=\"2\" vector-effect=\"non-scaling-stroke\"/>"))
                    .Append(string.Create(Inv,
                        $"<text x=\"{x:0.##}\" y=\"{labelY:0.##}\" font-size=\"{fontSize:0.#}\" font-family=\"sans-serif\" font-weight=\"bold\" fill=\"#ffff00\" stroke=\"#000\" stroke-width=\"0.6\">"))
                    .Append(E(site.Id)).Append("</text>");
            }

            h.Append("</svg>");
        }

        h.Append("</div>\n");
    }

    private static void WriteSites(StringBuilder h, ReportModel r)
    {
        h.Append("<h2>Sites</h2>\n");
        if (r.Sites.Count == 0)
        {
            h.Append("<p>No site of change of interest was flagged.</p>\n");
            return;
        }

        h.Append("<div class=\"wide\"><table>\n<tr><th>Site (track id)</th><th>Status</th><th>Assessment</th><th>Probability</th><th>Change type</th><th>Location (lat, lon)</th><th>MGRS</th>")
            .Append("<th>Area m²</th><th>Changed px</th><th>Objects before → after</th><th>Box (scene px)</th><th>Tiles</th><th>Max shift px</th><th>Max residual px</th><th>Masked</th><th>Cloud masked</th></tr>\n");
        foreach (var s in r.Sites)
        {
            var b = s.SceneBounds;
            h.Append("<tr><td>").Append(E(s.Id))
                .Append(s.TrackId is null ? string.Empty : "<br><span class=\"mono nw\">" + E(s.TrackId) + "</span>")
                .Append("</td><td>").Append(E(s.Status))
                .Append("</td><td>").Append(E(s.Assessment))
                .Append("</td><td class=\"num\">").Append(E(Percent(s.Probability)))
                .Append("</td><td>").Append(E(ConfidenceWording.ChangeTypeWords(s.ChangeType)))
                .Append("</td><td>").Append(s.Latitude is { } lat && s.Longitude is { } lon
                    ? E(string.Create(Inv, $"{lat:F5}, {lon:F5}"))
                    : "not georeferenced")
                .Append("</td><td class=\"mono nw\">").Append(s.Mgrs is null ? "-" : E(s.Mgrs))
                .Append("</td><td class=\"num\">").Append(s.AreaSquareMetres is { } area ? E(area.ToString("N0", Inv)) : "unknown")
                .Append("</td><td class=\"num\">").Append(E(s.ChangedPixels.ToString("N0", Inv)))
                .Append("</td><td class=\"num nw\">").Append(s.Objects is { } objects
                    ? E(string.Create(Inv, $"{objects.Before:N0} → {objects.After:N0}"))
                    : "not measured")
                .Append("</td><td>").Append(E(string.Create(Inv, $"x {b.X}, y {b.Y}, {b.Width} × {b.Height}")))
                .Append("</td><td>").Append(E(string.Join(", ", s.Tiles)))
                .Append("</td><td class=\"num\">").Append(E(s.MaxShift.ToString("F2", Inv)))
                .Append("</td><td class=\"num\">").Append(s.MaxResidual is { } residual ? E(residual.ToString("F2", Inv)) : "not measured")
                .Append("</td><td class=\"num\">").Append(E(Percent(s.MaskedFraction)))
                .Append("</td><td class=\"num\">").Append(s.CloudMaskedFraction is { } cloud ? E(Percent(cloud)) : "not measured")
                .Append("</td></tr>\n");
        }

        h.Append("</table></div>\n");
    }

    private static void WriteChips(StringBuilder h, ReportModel r, PageImages images)
    {
        if (r.Sites.Count == 0)
        {
            return;
        }

        h.Append("<h2>Before and after</h2>\n");
        foreach (var s in r.Sites)
        {
            h.Append("<h3>").Append(E(s.Id)).Append(s.TrackId is null ? string.Empty : " (track " + E(s.TrackId) + ")")
                .Append(": ").Append(E(s.Assessment)).Append("</h3>\n");
            h.Append("<p class=\"verdict\">").Append(E(VerdictText(s))).Append("</p>\n");
            WriteHistory(h, s);
            if (!images.Chips.TryGetValue(s.Id, out var chips))
            {
                h.Append("<p>No chips are available for this site.</p>\n");
                continue;
            }

            h.Append("<div class=\"chips\"><figure><img alt=\"").Append(E(s.Id)).Append(" before\" src=\"").Append(DataUri(chips.Before))
                .Append("\"><figcaption>Before: baseline ").Append(r.Baseline is null ? string.Empty : E(Acquired(r.Baseline)))
                .Append("</figcaption></figure><figure><img alt=\"").Append(E(s.Id)).Append(" after\" src=\"").Append(DataUri(chips.After))
                .Append("\"><figcaption>After: ").Append(E(Acquired(r.Scene)))
                .Append("; change outlined in magenta</figcaption></figure></div>\n");
        }
    }

    private static void WriteHistory(StringBuilder h, SiteModel s)
    {
        if (s.FirstSeen is not { } first || s.History.Count == 0)
        {
            return;
        }

        var again = s.History.Count(e => e.Outcome == "flagged") - 1;
        h.Append("<p>First flagged ").Append(E(Time(first.AcquiredAt))).Append(" in scene <span class=\"mono\">").Append(E(first.SceneId))
            .Append("</span>").Append(again > 0 ? E(string.Create(Inv, $"; flagged again in {again} later scene(s)")) : string.Empty)
            .Append(".</p>\n<div class=\"wide\"><table class=\"history\">\n<tr><th>Acquired</th><th>Scene</th><th>Outcome</th><th>Site</th><th>Probability</th>")
            .Append("<th>Change type</th><th>Area m²</th><th>Objects before → after</th><th>Status</th><th>Note</th></tr>\n");
        foreach (var e in s.History)
        {
            h.Append("<tr><td class=\"nw\">").Append(E(Time(e.AcquiredAt)))
                .Append("</td><td class=\"mono nw\">").Append(E(e.SceneId))
                .Append("</td><td>").Append(E(OutcomeText(e.Outcome)))
                .Append("</td><td>").Append(E(e.SiteId ?? "-"))
                .Append("</td><td class=\"num\">").Append(e.Probability is { } p ? E(Percent(p)) : "-")
                .Append("</td><td>").Append(e.ChangeType is null ? "-" : E(ConfidenceWording.ChangeTypeWords(e.ChangeType)))
                .Append("</td><td class=\"num\">").Append(e.AreaSquareMetres is { } area ? E(area.ToString("N0", Inv)) : "-")
                .Append("</td><td class=\"num nw\">").Append(e.Objects is { } o
                    ? E(string.Create(Inv, $"{o.Before:N0} → {o.After:N0}"))
                    : e.Outcome == "flagged" ? "not measured" : "-")
                .Append("</td><td>").Append(E(e.Status ?? "-"))
                .Append("</td><td>").Append(E(e.Note ?? string.Empty))
                .Append("</td></tr>\n");
        }

        h.Append("</table></div>\n");
    }

    private static string OutcomeText(string outcome) => outcome switch
    {
        "flagged" => "change flagged",
        "not-flagged" => "no change flagged",
        "not-assessable" => "not assessable",
        _ => outcome,
    };

    private static void WriteCaveats(StringBuilder h, ReportModel r)
    {
        h.Append("<h2>Caveats</h2>\n");
        if (r.Caveats.Count == 0)
        {
            h.Append("<p>None recorded.</p>\n");
            return;
        }

        h.Append("<ul>\n");
        foreach (var caveat in r.Caveats)
        {
            h.Append("<li>").Append(E(caveat)).Append("</li>\n");
        }

        h.Append("</ul>\n");
    }

    private static void WriteProvenance(StringBuilder h, ReportModel r)
    {
        h.Append("<h2>Provenance</h2>\n<table>\n<tr><th></th><th>Scene id</th><th>Original SHA-256</th><th>Blob</th></tr>\n");
        ProvenanceRow(h, "Scene", r.Scene);
        if (r.Baseline is not null)
        {
            ProvenanceRow(h, "Baseline", r.Baseline);
        }

        h.Append("</table>\n<p>Code version ").Append(E(r.CodeVersion));
        if (r.ModelVersion is not null)
        {
            h.Append("; model ").Append(E(r.ModelVersion));
            if (r.ModelSha256 is not null)
            {
                h.Append(", SHA-256 <span class=\"mono\">").Append(E(r.ModelSha256)).Append("</span>");
            }
        }

        h.Append(".</p>\n<h3>Chain of custody</h3>\n");
        if (r.Custody.Count == 0)
        {
            h.Append("<p>No custody entries.</p>\n");
            return;
        }

        h.Append("<table>\n<tr><th>When</th><th>Step</th><th>Actor</th><th>Detail</th></tr>\n");
        foreach (var c in r.Custody)
        {
            h.Append("<tr><td>").Append(E(Time(c.At))).Append("</td><td>").Append(E(c.Step)).Append("</td><td>").Append(E(c.Actor))
                .Append("</td><td class=\"mono\">").Append(E(c.Detail)).Append("</td></tr>\n");
        }

        h.Append("</table>\n");
    }

    private static void ProvenanceRow(StringBuilder h, string label, SceneSummary s) =>
        h.Append("<tr><th>").Append(label).Append("</th><td class=\"mono\">").Append(E(s.SceneId)).Append("</td><td class=\"mono\">")
            .Append(E(s.Sha256)).Append("</td><td class=\"mono\">").Append(E(s.BlobName)).Append("</td></tr>\n");

    private static void Row(StringBuilder h, string label, string encodedValue) =>
        h.Append("<tr><th>").Append(label).Append("</th><td>").Append(encodedValue).Append("</td></tr>\n");

    private static string Pair(string? scene, string? baseline)
    {
        var s = E(scene ?? "unknown");
        return baseline is null ? s : s + " (baseline: " + E(baseline) + ")";
    }

    private static string E(string? text) => HtmlText.Encode(text);

    private static string StatusText(ReportModel r)
    {
        var reviewed = r.Sites.Count(s => s.Review is not null);
        return r.Status switch
        {
            ReportStatus.Candidate => "candidate — not verified by an analyst",
            ReportStatus.PartiallyReviewed => string.Create(Inv, $"partially reviewed — {reviewed} of {r.Sites.Count} sites have an analyst's verdict"),
            ReportStatus.Reviewed => "reviewed — every site has an analyst's verdict",
            _ => r.Status,
        };
    }

    private static string VerdictText(SiteModel s) => s.Review is { } v
        ? $"Analyst verdict: {v.Verdict}, by {v.Analyst}, {Time(v.At)}" + (string.IsNullOrWhiteSpace(v.Note) ? "." : $". Note: {v.Note}")
        : "Analyst verdict: none yet (candidate).";

    private static string Acquired(SceneSummary s) =>
        Time(s.AcquiredAt) + (s.AcquisitionTimeAssumed ? " (not given by the provider: upload time assumed)" : string.Empty);

    private static string? Gsd(SceneSummary s) =>
        s.GroundSampleDistance is { } g ? string.Create(Inv, $"{g:0.###} m") : null;

    private static string Epsg(int? epsg) => epsg is { } e ? string.Create(Inv, $"EPSG:{e}") : "not georeferenced";

    private static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Inv);

    private static string Percent(double fraction) => string.Create(Inv, $"{fraction * 100:0.0} %");

    private static string DataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}
