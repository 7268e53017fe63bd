using System.Text;
using System.Text.RegularExpressions;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;
using ChangeWatch.Core.Reporting;

namespace ChangeWatch.Reporting.Tests;

public sealed partial class ReportHtmlTests
{
    private const string Hostile = "<script>alert(\"x\")</script>";

    private static string Html(IReadOnlyList<ReportFile> files) =>
        Encoding.UTF8.GetString(files.Single(f => f.RelativePath == "report.html").Content.Span);

    private static ReportImagery Imagery(params string[] siteIds)
    {
        var overview = Some.Raster(100, 80, 3, (b, x, y) => x + y + b);
        var chips = siteIds.ToDictionary(id => id, _ => new SiteChips(
            Some.Raster(16, 16, 3, (b, x, y) => x),
            Some.Raster(16, 16, 3, (b, x, y) => y),
            new byte[16 * 16]));
        return new ReportImagery(overview, 4, chips);
    }

    [GeneratedRegex("""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    [GeneratedRegex("src=\"([^\"]*)\"")]
    private static partial Regex Sources();

    [Fact]
    public void Render_HostileProviderStrings_AppearOnlyEscaped()
    {
        var scene = Some.Scene(provider: "Acme \"Orbital\" & Sons", sensor: Hostile, blob: "aoi-1/<img src=x onerror=alert(1)>.png");
        var report = Some.ChangeReport(scene, Some.Site("S1", new PixelWindow(8, 8, 40, 40))) with
        {
            Caveats = ["<b>bold</b> claim"],
            Custody = [new CustodyEntry("received", "host \"a\"", DateTimeOffset.UnixEpoch, "name='<x>'")],
        };

        var html = Html(new ReportRenderer().Render(report, Imagery("S1")));

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("alert(\"x\")", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Acme \"Orbital\"", html, StringComparison.Ordinal);
        Assert.Contains("Acme &quot;Orbital&quot; &amp; Sons", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>bold", html, StringComparison.Ordinal);
        Assert.Contains("host &quot;a&quot;", html, StringComparison.Ordinal);
        Assert.Contains("name=&#39;&lt;x&gt;&#39;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ChangeReport_NamesTheChangeTypeModelOrTheFixedRule()
    {
        var site = Some.Site("S1", new PixelWindow(8, 8, 40, 40));
        var withModel = Html(new ReportRenderer().Render(
            Some.ChangeReport(null, site) with { TypeModelVersion = "types-<v3>", TypeModelSha256 = new string('d', 64) }, Imagery("S1")));
        var withRule = Html(new ReportRenderer().Render(Some.ChangeReport(null, site), Imagery("S1")));

        Assert.Contains("change types: types-&lt;v3&gt;", withModel, StringComparison.Ordinal);
        Assert.Contains("SHA-256 " + new string('d', 64), withModel, StringComparison.Ordinal);
        Assert.Contains("change types: fixed rule", withRule, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_AdaptiveThreshold_SaysEachTileTookItsOwnWithTheThresholdAsTheLeast()
    {
        var site = Some.Site("S1", new PixelWindow(8, 8, 40, 40));

        var adaptive = Html(new ReportRenderer().Render(Some.ChangeReport(null, site) with { ModelThresholdAdaptive = true }, Imagery("S1")));
        var fixedOne = Html(new ReportRenderer().Render(Some.ChangeReport(null, site) with { ModelThresholdAdaptive = false }, Imagery("S1")));

        Assert.Contains("flag threshold per tile from its scores, at least 0.6", adaptive, StringComparison.Ordinal);
        Assert.Contains("(flag threshold 0.6)", fixedOne, StringComparison.Ordinal);
        Assert.DoesNotContain("per tile", fixedOne, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ChangeReport_PageMakesNoExternalRequests()
    {
        var html = Html(new ReportRenderer().Render(Some.ChangeReport(null, Some.Site("S1", new PixelWindow(8, 8, 40, 40))), Imagery("S1")));

        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        var sources = Sources().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(3, sources.Count);
        Assert.All(sources, s => Assert.StartsWith("data:image/png;base64,", s, StringComparison.Ordinal));
    }

    [Fact]
    public void Render_ChangeReport_EmbedsTheSameOverviewAndChipsItWritesAsFiles()
    {
        var files = new ReportRenderer().Render(Some.ChangeReport(null, Some.Site("S1", new PixelWindow(8, 8, 40, 40))), Imagery("S1"));
        var html = Html(files);

        foreach (var path in new[] { "overview.png", "chips/S1-before.png", "chips/S1-after.png" })
        {
            var png = files.Single(f => f.RelativePath == path).Content.ToArray();
            Assert.Contains("data:image/png;base64," + Convert.ToBase64String(png), html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Render_ChangeReport_ShowsStatusSummaryAndSiteRow()
    {
        var report = Some.ChangeReport(null,
            Some.Site("S1", new PixelWindow(8, 8, 40, 40)),
            Some.Site("S2", new PixelWindow(60, 60, 8, 8), probability: 0.3, lat: null, lon: null));

        var html = Html(new ReportRenderer().Render(report, Imagery("S1", "S2")));

        Assert.Contains("candidate — not verified by an analyst", html, StringComparison.Ordinal);
        Assert.Contains("assessed as very likely change of interest (object build-up)", html, StringComparison.Ordinal);
        Assert.Contains("87.0 %", html, StringComparison.Ordinal);
        Assert.Contains("48.12346, 16.98765", html, StringComparison.Ordinal);
        Assert.Contains("not georeferenced", html, StringComparison.Ordinal);
        Assert.Contains(Some.SceneSha, html, StringComparison.Ordinal);
        Assert.Contains(Some.BaselineSha, html, StringComparison.Ordinal);
        Assert.Contains("2026-05-02 09:30:00 UTC", html, StringComparison.Ordinal);
        Assert.Contains(">S2</text>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SitesWithAndWithoutCounts_TableShowsBeforeAfterOrNotMeasured()
    {
        var report = Some.ChangeReport(null,
            Some.Site("S1", new PixelWindow(8, 8, 40, 40)) with { Objects = new Core.Domain.ObjectCounts(3, 1234) },
            Some.Site("S2", new PixelWindow(60, 60, 8, 8)));

        var html = Html(new ReportRenderer().Render(report, Some.NoImagery()));

        Assert.Contains("<th>Objects before → after</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num nw\">3 → 1,234</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num nw\">not measured</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SitesWithAndWithoutResidualAndCloudMask_TableShowsThemOrNotMeasured()
    {
        var report = Some.ChangeReport(null,
            Some.Site("S1", new PixelWindow(8, 8, 40, 40)) with { MaxResidual = 1.234, CloudMaskedFraction = 0.0625 },
            Some.Site("S2", new PixelWindow(60, 60, 8, 8)));

        var html = Html(new ReportRenderer().Render(report, Some.NoImagery()));

        Assert.Contains("<th>Max shift px</th><th>Max residual px</th><th>Masked</th><th>Cloud masked</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">0.42</td><td class=\"num\">1.23</td><td class=\"num\">12.5 %</td><td class=\"num\">6.3 %</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">0.42</td><td class=\"num\">not measured</td><td class=\"num\">12.5 %</td><td class=\"num\">not measured</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_TrackedSite_ShowsTrackIdFirstSightingAndAnEscapedHistoryTable()
    {
        var site = Some.Tracked(Some.Site("S1", new PixelWindow(8, 8, 40, 40)), note: "split from <b>\"x\"</b>");

        var html = Html(new ReportRenderer().Render(Some.ChangeReport(null, site), Imagery("S1")));

        Assert.Contains($"<tr><td>S1<br><span class=\"mono nw\">{Some.BaselineId.Value}-S2</span></td>", html, StringComparison.Ordinal);
        Assert.Contains($"<h3>S1 (track {Some.BaselineId.Value}-S2):", html, StringComparison.Ordinal);
        Assert.Contains($"First flagged 2026-04-01 09:30:00 UTC in scene <span class=\"mono\">{Some.BaselineId.Value}</span>; flagged again in 1 later scene(s).", html, StringComparison.Ordinal);
        Assert.Contains("<td>not assessable</td><td>-</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num nw\">0 → 6</td><td>confirmed</td>", html, StringComparison.Ordinal);
        Assert.Contains("split from &lt;b&gt;&quot;x&quot;&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>\"x\"</b>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_BaselineRegisteredReport_SaysSoAndShowsTheOverview()
    {
        var files = new ReportRenderer().Render(Some.BaselineReport(), Imagery());
        var html = Html(files);

        Assert.Equal(["report.json", "overview.png", "report.html", "sites.geojson"], files.Select(f => f.RelativePath));
        Assert.Contains("registered as the baseline of AOI <b>aoi-1</b>", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"overview\"><img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<h2>Sites</h2>", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(ExternalReference(), html);
    }

    [Fact]
    public void Render_NoImagery_StillWritesJsonAndPage()
    {
        var files = new ReportRenderer().Render(Some.ChangeReport(null, Some.Site("S1", new PixelWindow(8, 8, 40, 40))), Some.NoImagery());

        Assert.Equal(["report.json", "report.html", "sites.geojson"], files.Select(f => f.RelativePath));
        Assert.Contains("No overview image is available.", Html(files), StringComparison.Ordinal);
        Assert.Contains("No chips are available for this site.", Html(files), StringComparison.Ordinal);
    }
}
