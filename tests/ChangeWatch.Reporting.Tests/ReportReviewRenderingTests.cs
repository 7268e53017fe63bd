using System.Text;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Reporting.Json;

namespace ChangeWatch.Reporting.Tests;

public sealed class ReportReviewRenderingTests
{
    private static readonly DateTimeOffset ReviewedAt = new(2026, 5, 4, 8, 0, 0, TimeSpan.Zero);

    private static SiteModel Reviewed(SiteModel site, string verdict, string analyst = "A. Analyst", string? note = null) =>
        site with { Status = verdict, Review = new SiteReviewEntry(verdict, analyst, ReviewedAt, note) };

    [Fact]
    public void FromSites_NoneSomeAllReviewed_CandidatePartiallyReviewedReviewed()
    {
        var s1 = Some.Site("S1", new PixelWindow(1, 1, 4, 4));
        var s2 = Some.Site("S2", new PixelWindow(9, 9, 4, 4));

        Assert.Equal(ReportStatus.Candidate, ReportStatus.FromSites([s1, s2]));
        Assert.Equal(ReportStatus.PartiallyReviewed, ReportStatus.FromSites([Reviewed(s1, "confirmed"), s2]));
        Assert.Equal(ReportStatus.Reviewed, ReportStatus.FromSites([Reviewed(s1, "confirmed"), Reviewed(s2, "rejected")]));
        Assert.Equal(ReportStatus.Candidate, ReportStatus.FromSites([]));
    }

    [Fact]
    public void RenderDocuments_ReviewedSite_PageShowsVerdictAnalystAndPartialStatus()
    {
        var sites = new[]
        {
            Reviewed(Some.Site("S1", new PixelWindow(1, 1, 4, 4)), "rejected", "J. <Doe>", "shadow of a \"cloud\""),
            Some.Site("S2", new PixelWindow(9, 9, 4, 4)),
        };
        var report = Some.ChangeReport(null, sites) with { Status = ReportStatus.FromSites(sites) };

        var html = Encoding.UTF8.GetString(new ReportRenderer().RenderDocuments(report, new EncodedReportImages(null, new Dictionary<string, EncodedChips>()))
            .Single(f => f.RelativePath == "report.html").Content.Span);

        Assert.Contains("partially reviewed — 1 of 2 sites have an analyst&#39;s verdict", html, StringComparison.Ordinal);
        Assert.Contains("Analyst verdict: rejected, by J. &lt;Doe&gt;, 2026-05-04 08:00:00 UTC. Note: shadow of a &quot;cloud&quot;", html, StringComparison.Ordinal);
        Assert.Contains("Analyst verdict: none yet (candidate).", html, StringComparison.Ordinal);
        Assert.Contains("<td>rejected</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderDocuments_EncodedImages_WritesJsonHtmlGeoJsonAndEmbedsTheSameBytes()
    {
        var rendered = new ReportRenderer().Render(
            Some.ChangeReport(null, Some.Site("S1", new PixelWindow(8, 8, 40, 40))) with { OverviewScale = 4 },
            new ReportImagery(Some.Raster(100, 80, 3, (b, x, y) => x + y), 4, new Dictionary<string, SiteChips>
            {
                ["S1"] = new(Some.Raster(16, 16, 3, (b, x, y) => x), Some.Raster(16, 16, 3, (b, x, y) => y), null),
            }));
        byte[] Bytes(string path) => rendered.Single(f => f.RelativePath == path).Content.ToArray();
        var report = ReportJson.Deserialize(Bytes("report.json"))!;

        var again = new ReportRenderer().RenderDocuments(report, new EncodedReportImages(Bytes("overview.png"),
            new Dictionary<string, EncodedChips> { ["S1"] = new(Bytes("chips/S1-before.png"), Bytes("chips/S1-after.png")) }));

        Assert.Equal(["report.json", "report.html", "sites.geojson"], again.Select(f => f.RelativePath));
        Assert.Equal(Bytes("report.html"), again.Single(f => f.RelativePath == "report.html").Content.ToArray());
    }

    [Fact]
    public void Render_SiteWithMgrs_TableShowsIt()
    {
        var site = Some.Site("S1", new PixelWindow(1, 1, 4, 4), lat: 48.8583, lon: 2.2945);

        var html = Encoding.UTF8.GetString(new ReportRenderer().Render(Some.ChangeReport(null, site), Some.NoImagery())
            .Single(f => f.RelativePath == "report.html").Content.Span);

        Assert.Contains("<td class=\"mono nw\">31U DQ 48251 11943</td>", html, StringComparison.Ordinal);
    }
}
