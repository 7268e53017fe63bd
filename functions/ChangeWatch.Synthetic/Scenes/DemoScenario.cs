using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Synthetic;

/// <summary>
/// The fixed demo pair: a 1024 × 1024 RGB + NIR area at <see cref="GroundSampleDistance"/> where, in the after image, vehicles and equipment gather at two
/// places (site A: a vehicle park of about 60 beside a road, with a few vehicles arriving in column; site B: a dispersed
/// group of about 20 with fresh trenches and dug positions), plus static vehicles present on both dates and mild
/// nuisances (small gain and colour changes, light haze, sub-pixel misregistration). Deterministic: every call returns
/// the same pixels. Ground truth: <see cref="SyntheticPair.Changes"/>, grouped by <see cref="PlacedChange.Site"/>.
/// </summary>
public static class DemoScenario
{
    /// <summary>The scene seed.</summary>
    public const ulong Seed = 20_240_611;

    /// <summary>Metres per pixel: vehicles are drawn at this GSD (a car about 9 × 4 px).</summary>
    public const double GroundSampleDistance = 0.5;

    /// <summary>Width and height in pixels.</summary>
    public const int Size = 1024;

    /// <summary>Site tag of the vehicle park.</summary>
    public const string SiteA = "site-a";

    /// <summary>Site tag of the dispersed group with earthworks.</summary>
    public const string SiteB = "site-b";

    /// <summary>Where site A is placed.</summary>
    public static PixelWindow SiteAArea { get; } = new(60, 100, 330, 290);

    /// <summary>Where site B is placed: two tile columns and rows clear of site A (pipeline tiles are 256 px every 224 px, so neighbouring tiles overlap by 32 px), so the two are reported as two sites.</summary>
    public static PixelWindow SiteBArea { get; } = new(724, 700, 280, 280);

    /// <summary>Site tag of the vehicles that join site A's park in the later scene (<see cref="RenderLater"/>).</summary>
    public const string SiteAGrowth = "site-a-growth";

    /// <summary>Renders the demo pair (about 0.5-1 s).</summary>
    public static SyntheticPair Render() => Build().Render();

    /// <summary>
    /// The demo area some days after <see cref="Render"/>'s after image: site A's park has grown by about 30 vehicles
    /// placed within its ground-truth box (tag <see cref="SiteAGrowth"/>), nothing else changed. Everything else is drawn
    /// by the same calls with the same seed, so the returned pair's <see cref="SyntheticPair.After"/> equals
    /// <paramref name="earlier"/>'s after image except for the new vehicles: it is the demo's third scene.
    /// </summary>
    /// <param name="earlier">The pair from <see cref="Render"/>.</param>
    public static SyntheticPair RenderLater(SyntheticPair earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return Build()
            .AddVehicles(Formation.Park, 30, ChangeKind.ObjectBuildUp, SiteBounds(earlier)[SiteA], SiteAGrowth)
            .Render();
    }

    private static SyntheticScene Build() =>
        new SyntheticScene(Size, Size, Seed, includeNir: true, GroundSampleDistance)
            .AddVehicles(Formation.Park, 60, ChangeKind.ObjectBuildUp, SiteAArea, SiteA)
            .AddVehicles(Formation.Convoy, 8, ChangeKind.ObjectBuildUp, SiteAArea, SiteA)
            .AddVehicles(Formation.Dispersed, 20, ChangeKind.ObjectBuildUp, SiteBArea, SiteB)
            .AddEarthworks(3, 5, SiteBArea, SiteB)
            .AddVehicles(Formation.Dispersed, 6, ChangeKind.None, new PixelWindow(600, 80, 300, 300))
            .WithNuisance(new Nuisance
            {
                Gain = 1.08, BandGainSpread = 0.02, Offset = 3, Season = 0.15, Haze = 0.08,
                NoiseSigma = 1.5, ShiftX = 0.4, ShiftY = -0.3,
            });

    /// <summary>The ground-truth bounding box of each build-up site (union of its changes), keyed by site tag.</summary>
    public static IReadOnlyDictionary<string, PixelWindow> SiteBounds(SyntheticPair pair)
    {
        ArgumentNullException.ThrowIfNull(pair);
        return pair.Changes.Where(c => c.Site is not null).GroupBy(c => c.Site!).ToDictionary(
            g => g.Key,
            g =>
            {
                var x0 = g.Min(c => c.Bounds.X);
                var y0 = g.Min(c => c.Bounds.Y);
                var x1 = g.Max(c => c.Bounds.X + c.Bounds.Width);
                var y1 = g.Max(c => c.Bounds.Y + c.Bounds.Height);
                return new PixelWindow(x0, y0, x1 - x0, y1 - y0);
            });
    }
}
