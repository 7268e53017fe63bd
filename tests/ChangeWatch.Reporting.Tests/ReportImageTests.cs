using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Reporting.Imagery;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ChangeWatch.Reporting.Tests;

/// <summary>
/// Reference-style checks on the rendered PNGs. Tolerance: drawn outline pixels must equal the palette colour exactly
/// (they are set, not blended); stretched pixels may differ from the computed reference by at most 1 grey level.
/// </summary>
public sealed class ReportImageTests
{
    private const int StretchTolerance = 1;

    private static Image<Rgb24> Png(IReadOnlyList<ReportFile> files, string path) =>
        Image.Load<Rgb24>(files.Single(f => f.RelativePath == path).Content.ToArray());

    private static IReadOnlyList<ReportFile> RenderOverview(TileRaster overview, double scale, params SiteModel[] sites) =>
        new ReportRenderer().Render(Some.ChangeReport(null, sites), new ReportImagery(overview, scale, new Dictionary<string, SiteChips>()));

    [Fact]
    public void Render_SiteOnOverview_OutlinesItsScaledBoundsTwoPixelsWide()
    {
        // Red varies, green and blue are constant (mid-grey), so no stretched pixel can be yellow.
        var overview = Some.Raster(100, 80, 3, (b, x, y) => b == 0 ? x : 7);
        // Scene (40, 40, 80, 60) at 4 scene px per overview px covers overview columns 10..29 and rows 10..24.
        using var png = Png(RenderOverview(overview, 4, Some.Site("S1", new PixelWindow(40, 40, 80, 60))), "overview.png");

        Assert.Equal((100, 80), (png.Width, png.Height));
        (int X, int Y)[] outline = [(10, 10), (29, 10), (10, 24), (29, 24), (11, 17), (28, 17), (20, 11), (20, 23)];
        Assert.All(outline, p => Assert.Equal(ReportPalette.SiteOutline, png[p.X, p.Y]));
        (int X, int Y)[] notOutline = [(12, 17), (27, 17), (20, 12), (20, 22), (9, 17), (30, 17), (20, 9), (20, 25)];
        Assert.All(notOutline, p => Assert.NotEqual(ReportPalette.SiteOutline, png[p.X, p.Y]));
    }

    [Fact]
    public void Render_SiteRunningOffTheOverview_IsClippedNotThrown()
    {
        var overview = Some.Raster(50, 40, 1, (_, x, _) => x);

        using var png = Png(RenderOverview(overview, 2, Some.Site("S1", new PixelWindow(80, 60, 100, 100))), "overview.png");

        Assert.Equal(ReportPalette.SiteOutline, png[40, 30]);
        Assert.Equal(ReportPalette.SiteOutline, png[49, 30]);
    }

    [Fact]
    public void Render_OneBandOverview_IsGreyStretchedBetweenTheTwoAndNinetyEighthPercentiles()
    {
        // Columns 0..99 of value x: the 2nd and 98th percentiles (linear) are 1.98 and 97.02.
        var overview = Some.Raster(100, 10, 1, (_, x, y) => y == 9 && x == 0 ? float.NaN : x);
        using var png = Png(RenderOverview(overview, 1), "overview.png");

        foreach (var x in new[] { 0, 1, 2, 25, 50, 75, 97, 98, 99 })
        {
            var expected = (int)Math.Clamp(Math.Round((x - 1.98) / (97.02 - 1.98) * 255), 0, 255);
            var pixel = png[x, 3];
            Assert.InRange(pixel.R, expected - StretchTolerance, expected + StretchTolerance);
            Assert.Equal(pixel.R, pixel.G);
            Assert.Equal(pixel.R, pixel.B);
        }

        Assert.Equal(ReportPalette.NoData, png[0, 9]);
    }

    [Fact]
    public void Render_FourBandOverview_ShowsBandTwoAsRedAndBandZeroAsBlue()
    {
        // B, G, R, NIR: band 2 (red) rises to the right, band 0 (blue) falls, NIR is huge and must not show.
        var overview = Some.Raster(64, 8, 4, (b, x, _) => b switch { 0 => 63 - x, 1 => 10 + (x % 2), 2 => x, _ => 10_000 + x });
        using var png = Png(RenderOverview(overview, 1), "overview.png");

        var right = png[63, 4];
        var left = png[0, 4];
        Assert.Equal((255, 0), (right.R, right.B));
        Assert.Equal((0, 255), (left.R, left.B));
    }

    [Fact]
    public void Render_ColourOverview_UsesOneLinkedStretchSoGreyStaysGrey()
    {
        // Red spans 0..100, blue only 40..60: a per-band stretch would paint the grey pixel (30, 30, 30) off-grey.
        var overview = Some.Raster(101, 4, 3, (b, x, _) => b switch { 0 => x, 1 => x, _ => 40 + x / 5f });
        overview.Row(0, 2)[0] = overview.Row(1, 2)[0] = overview.Row(2, 2)[0] = 30;
        using var png = Png(RenderOverview(overview, 1), "overview.png");

        var grey = png[0, 2];
        Assert.Equal(grey.R, grey.G);
        Assert.Equal(grey.R, grey.B);
    }

    [Fact]
    public void Render_SiteChips_AreStretchedTogetherSoBeforeAndAfterCompare()
    {
        var chips = new SiteChips(Some.Raster(32, 24, 3, (_, _, _) => 10), Some.Raster(32, 24, 3, (_, _, _) => 20), null);
        var files = new ReportRenderer().Render(Some.ChangeReport(null, Some.Site("S1", new PixelWindow(0, 0, 32, 24))),
            new ReportImagery(null, 1, new Dictionary<string, SiteChips> { ["S1"] = chips }));

        using var before = Png(files, "chips/S1-before.png");
        using var after = Png(files, "chips/S1-after.png");

        Assert.Equal((32, 24), (before.Width, before.Height));
        Assert.Equal((32, 24), (after.Width, after.Height));
        Assert.Equal(new Rgb24(0, 0, 0), before[5, 5]);
        Assert.Equal(new Rgb24(255, 255, 255), after[5, 5]);
    }

    [Fact]
    public void Render_ChangeMask_IsOutlinedOnTheAfterChipOnly()
    {
        var mask = new byte[32 * 24];
        for (var y = 6; y <= 11; y++)
        {
            for (var x = 8; x <= 15; x++)
            {
                mask[y * 32 + x] = 1;
            }
        }

        var chips = new SiteChips(Some.Raster(32, 24, 3, (_, x, _) => x), Some.Raster(32, 24, 3, (_, x, y) => x + y), mask);
        var files = new ReportRenderer().Render(Some.ChangeReport(null, Some.Site("S1", new PixelWindow(0, 0, 32, 24))),
            new ReportImagery(null, 1, new Dictionary<string, SiteChips> { ["S1"] = chips }));

        using var before = Png(files, "chips/S1-before.png");
        using var after = Png(files, "chips/S1-after.png");

        (int X, int Y)[] boundary = [(8, 6), (15, 6), (8, 11), (15, 11), (8, 9), (12, 6)];
        Assert.All(boundary, p => Assert.Equal(ReportPalette.ChangeOutline, after[p.X, p.Y]));
        (int X, int Y)[] inside = [(9, 7), (12, 9), (14, 10)];
        Assert.All(inside, p => Assert.NotEqual(ReportPalette.ChangeOutline, after[p.X, p.Y]));
        Assert.NotEqual(ReportPalette.ChangeOutline, after[7, 6]);
        Assert.All(boundary, p => Assert.NotEqual(ReportPalette.ChangeOutline, before[p.X, p.Y]));
    }

    [Fact]
    public void Render_MaskOfTheWrongSize_Throws()
    {
        var chips = new SiteChips(Some.Raster(8, 8, 1, (_, x, _) => x), Some.Raster(8, 8, 1, (_, x, _) => x), new byte[10]);

        Assert.Throws<ArgumentException>(() => new ReportRenderer().Render(
            Some.ChangeReport(null, Some.Site("S1", new PixelWindow(0, 0, 8, 8))),
            new ReportImagery(null, 1, new Dictionary<string, SiteChips> { ["S1"] = chips })));
    }

    [Fact]
    public void Render_SameInputsTwice_GivesIdenticalFiles()
    {
        var overview = Some.Raster(40, 30, 3, (b, x, y) => x * y + b);
        var imagery = new ReportImagery(overview, 2, new Dictionary<string, SiteChips>());
        var report = Some.ChangeReport(null, Some.Site("S1", new PixelWindow(4, 4, 20, 20)));

        var first = new ReportRenderer().Render(report, imagery);
        var second = new ReportRenderer().Render(report, imagery);

        Assert.Equal(first.Select(f => f.RelativePath), second.Select(f => f.RelativePath));
        Assert.All(first.Zip(second), p => Assert.True(p.First.Content.Span.SequenceEqual(p.Second.Content.Span), p.First.RelativePath));
    }
}
