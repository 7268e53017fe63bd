using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Reporting.Html;
using ChangeWatch.Reporting.Imagery;
using ChangeWatch.Reporting.Json;

namespace ChangeWatch.Reporting;

/// <summary>
/// Renders a report's files with ImageSharp and System.Text.Json, in this order:
/// <list type="bullet">
/// <item><c>report.json</c>: <see cref="ReportJson"/>;</item>
/// <item><c>overview.png</c> (only when an overview is given): the overview stretched to 8 bits
/// (<see cref="DisplayBands"/>, 2-98 % per band, NaN black) with each site's scene bounds, divided by the overview
/// scale, outlined 2 px wide in <see cref="ReportPalette.SiteOutline"/>;</item>
/// <item><c>chips/{id}-before.png</c>, <c>chips/{id}-after.png</c> for each site that has chips: both stretched
/// with one stretch fitted over the two together (each alone when their band counts differ), the change mask's
/// boundary drawn on the after chip in <see cref="ReportPalette.ChangeOutline"/>;</item>
/// <item><c>report.html</c>: one self-contained page with the same images embedded as <c>data:</c> URIs;</item>
/// <item><c>sites.geojson</c>: <see cref="SitesGeoJson"/>.</item>
/// </list>
/// <see cref="RenderDocuments"/> re-renders the text files (JSON, HTML, GeoJSON) of a report whose images are already
/// encoded, e.g. after an analyst's review.
/// Output depends only on the inputs: the same model and imagery give the same bytes. Memory is bounded by the
/// overview and chips (a few pixel buffers of their size); the renderer is stateless and thread-safe.
/// </summary>
public sealed class ReportRenderer : IReportRenderer
{
    /// <summary>Width of site outlines on the overview, pixels.</summary>
    public const int SiteOutlineWidth = 2;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The overview scale is not positive, or a chip mask does not match its chip's size.</exception>
    public IReadOnlyList<ReportFile> Render(ReportModel report, ReportImagery imagery)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(imagery);
        if (imagery.Overview is not null && !(imagery.OverviewScale > 0 && double.IsFinite(imagery.OverviewScale)))
        {
            throw new ArgumentException("The overview scale (scene pixels per overview pixel) must be positive.", nameof(imagery));
        }

        var files = new List<ReportFile> { new(ReportPaths.Json, "application/json", ReportJson.Serialize(report)) };

        byte[]? overviewPng = null;
        if (imagery.Overview is { } overview)
        {
            overviewPng = RenderOverview(overview, imagery.OverviewScale, report.Sites);
            files.Add(new ReportFile(ReportPaths.Overview, "image/png", overviewPng));
        }

        var chips = new Dictionary<string, (byte[] Before, byte[] After)>(StringComparer.Ordinal);
        foreach (var site in report.Sites)
        {
            if (!imagery.Chips.TryGetValue(site.Id, out var pair))
            {
                continue;
            }

            var rendered = RenderChips(pair);
            chips[site.Id] = rendered;
            files.Add(new ReportFile(site.BeforeChip ?? ReportPaths.BeforeChip(site.Id), "image/png", rendered.Before));
            files.Add(new ReportFile(site.AfterChip ?? ReportPaths.AfterChip(site.Id), "image/png", rendered.After));
        }

        var images = new PageImages(
            overviewPng, imagery.Overview?.Width ?? 0, imagery.Overview?.Height ?? 0, imagery.OverviewScale, chips);
        files.Add(new ReportFile(ReportPaths.Html, "text/html; charset=utf-8", ReportPage.Write(report, images)));
        files.Add(new ReportFile(ReportPaths.GeoJson, "application/geo+json", SitesGeoJson.Serialize(report)));
        return files;
    }

    /// <summary>
    /// The text files of a report — <c>report.json</c>, <c>report.html</c> and <c>sites.geojson</c> — around images
    /// already encoded: <paramref name="images"/> holds the PNG bytes of <c>overview.png</c> (or null) and of each
    /// site's chips, as <see cref="Render"/> wrote them. The overview's size is read from its PNG header and its scale
    /// is <see cref="ReportModel.OverviewScale"/> (else the scene width over the overview width).
    /// </summary>
    /// <exception cref="ArgumentException">The overview bytes are not a PNG.</exception>
    public IReadOnlyList<ReportFile> RenderDocuments(ReportModel report, EncodedReportImages images)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(images);
        var (width, height) = images.OverviewPng is { } png ? PngSize(png) : (0, 0);
        var scale = report.OverviewScale is > 0 and var s && double.IsFinite(s)
            ? s
            : width > 0 ? report.Scene.Width / (double)width : 1;
        var chips = images.Chips.ToDictionary(kv => kv.Key, kv => (kv.Value.Before, kv.Value.After), StringComparer.Ordinal);
        return
        [
            new ReportFile(ReportPaths.Json, "application/json", ReportJson.Serialize(report)),
            new ReportFile(ReportPaths.Html, "text/html; charset=utf-8",
                ReportPage.Write(report, new PageImages(images.OverviewPng, width, height, scale, chips))),
            new ReportFile(ReportPaths.GeoJson, "application/geo+json", SitesGeoJson.Serialize(report)),
        ];
    }

    private static (int Width, int Height) PngSize(byte[] png)
    {
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 24 || !png.AsSpan(0, 8).SequenceEqual(signature))
        {
            throw new ArgumentException("The overview is not a PNG.", nameof(png));
        }

        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)),
            System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
    }

    private static byte[] RenderOverview(TileRaster overview, double scale, IReadOnlyList<SiteModel> sites)
    {
        using var canvas = RgbCanvas.From(overview, DisplayStretch.Fit(overview));
        foreach (var site in sites)
        {
            var b = site.SceneBounds;
            if (b.IsEmpty)
            {
                continue;
            }

            // Scene pixels [X, X + Width) cover overview pixels floor(X / s) .. ceil((X + Width) / s) - 1.
            var x0 = (int)Math.Floor(b.X / scale);
            var y0 = (int)Math.Floor(b.Y / scale);
            var x1 = (int)Math.Ceiling((b.X + b.Width) / scale) - 1;
            var y1 = (int)Math.Ceiling((b.Y + b.Height) / scale) - 1;
            canvas.DrawBox(x0, y0, Math.Max(x0, x1), Math.Max(y0, y1), SiteOutlineWidth, ReportPalette.SiteOutline);
        }

        return canvas.EncodePng();
    }

    private static (byte[] Before, byte[] After) RenderChips(SiteChips chips)
    {
        DisplayStretch beforeStretch, afterStretch;
        if (chips.Before.BandCount == chips.After.BandCount)
        {
            beforeStretch = afterStretch = DisplayStretch.Fit(chips.Before, chips.After);
        }
        else
        {
            beforeStretch = DisplayStretch.Fit(chips.Before);
            afterStretch = DisplayStretch.Fit(chips.After);
        }

        byte[] before;
        using (var canvas = RgbCanvas.From(chips.Before, beforeStretch))
        {
            before = canvas.EncodePng();
        }

        using (var canvas = RgbCanvas.From(chips.After, afterStretch))
        {
            if (chips.Mask is { } mask)
            {
                canvas.DrawMaskBoundary(mask, ReportPalette.ChangeOutline);
            }

            return (before, canvas.EncodePng());
        }
    }
}
