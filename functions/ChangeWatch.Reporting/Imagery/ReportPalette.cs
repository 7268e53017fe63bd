using SixLabors.ImageSharp.PixelFormats;

namespace ChangeWatch.Reporting.Imagery;

/// <summary>The colours drawn onto report images.</summary>
public static class ReportPalette
{
    /// <summary>Site outlines on <c>overview.png</c>: pure yellow, 2 px inside the site's box.</summary>
    public static Rgb24 SiteOutline { get; } = new(255, 255, 0);

    /// <summary>The change mask's boundary pixels on the after chip: pure magenta.</summary>
    public static Rgb24 ChangeOutline { get; } = new(255, 0, 255);

    /// <summary>No-data (NaN in any displayed band): black.</summary>
    public static Rgb24 NoData { get; } = new(0, 0, 0);
}
