using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Reporting;

namespace ChangeWatch.Reporting.Tests;

/// <summary>Test data builders.</summary>
internal static class Some
{
    public const string SceneSha = "aaaaaaaaaaaaaaaa0000000000000000000000000000000000000000000000ff";
    public const string BaselineSha = "bbbbbbbbbbbbbbbb0000000000000000000000000000000000000000000000ee";

    public static readonly SceneId SceneId = Core.Domain.SceneId.FromSha256(SceneSha);
    public static readonly SceneId BaselineId = Core.Domain.SceneId.FromSha256(BaselineSha);

    /// <summary>A 256 px grid with 32 px overlap (stride 224) in UTM 33N, 10 m pixels.</summary>
    public static AoiGrid Grid(GeoReference? geo = null) => new("aoi-1", 256, 32, geo, 1000, 1000);

    public static GeoReference Utm(double originX = 500_000, double originY = 4_000_000, double pixel = 10) =>
        new(32633, new GeoTransform(originX, pixel, 0, originY, 0, -pixel));

    public static TileResult Tile(int row, int col, double probability = 0.9, PixelWindow? bounds = null, int changedPixels = 0,
        string changeType = "object-build-up", bool flagged = true, bool assessable = true, double masked = 0,
        double shiftX = 0, double shiftY = 0, ObjectCounts? objects = null, double? residual = null, double? cloud = null,
        double? shadow = null) => new()
        {
            SceneId = SceneId,
            Tile = new TileId(row, col),
            BaselineId = BaselineId,
            Probability = probability,
            Flagged = flagged,
            Assessable = assessable,
            MaskedFraction = masked,
            ChangedFraction = changedPixels / (224.0 * 224.0),
            ChangeBounds = bounds,
            ChangedPixels = changedPixels,
            ChangeType = changeType,
            ShiftX = shiftX,
            ShiftY = shiftY,
            Objects = objects,
            CoRegistrationResidual = residual,
            CloudFraction = cloud,
            CloudShadowFraction = shadow,
            ModelVersion = "v1",
            ModelSha256 = new string('c', 64),
        };

    public static SceneSummary Scene(string? provider = "Acme Orbital", string? sensor = "AC-2", string blob = "aoi-1/scene.tif") =>
        new(SceneId.Value, SceneSha, blob, new DateTimeOffset(2026, 5, 2, 9, 30, 0, TimeSpan.Zero), false,
            provider, sensor, 0.5, 400, 320, 3, 32633);

    public static SceneSummary Baseline() =>
        new(BaselineId.Value, BaselineSha, "aoi-1/baseline.tif", new DateTimeOffset(2026, 4, 1, 9, 30, 0, TimeSpan.Zero), true,
            "Acme Orbital", "AC-2", 0.5, 400, 320, 3, 32633);

    public static SiteModel Site(string id, PixelWindow sceneBounds, double probability = 0.87, double? lat = 48.123456789,
        double? lon = 16.987654321) => new()
        {
            Id = id,
            ChangeType = "object-build-up",
            Probability = probability,
            Assessment = ConfidenceWording.Assess(probability, "object-build-up"),
            Tiles = ["0_0", "0_1"],
            GridBounds = sceneBounds,
            SceneBounds = sceneBounds,
            ChangedPixels = 1234,
            AreaSquareMetres = 308.5,
            Latitude = lat,
            Longitude = lon,
            MaxShift = 0.42,
            MaskedFraction = 0.125,
            BeforeChip = ReportPaths.BeforeChip(id),
            AfterChip = ReportPaths.AfterChip(id),
            Mgrs = lat is { } la && lon is { } lo ? Core.Geography.Mgrs.FromLatLon(la, lo) : null,
            Outline = lat is { } a && lon is { } o
                ? [new(o, a + 0.001), new(o, a), new(o + 0.001, a), new(o + 0.001, a + 0.001), new(o, a + 0.001)]
                : null,
        };

    /// <summary>The site as tracked: first flagged in the baseline's date as S2, not assessable once, flagged again now.</summary>
    public static SiteModel Tracked(SiteModel site, string? note = null)
    {
        var trackId = BaselineId.Value + "-S2";
        var first = new DateTimeOffset(2026, 4, 1, 9, 30, 0, TimeSpan.Zero);
        return site with
        {
            TrackId = trackId,
            FirstSeen = new SceneReference(BaselineId.Value, first),
            History =
            [
                new SiteHistoryEntry(BaselineId.Value, first, "flagged", "S2", 0.7, "object-build-up", 400, 100, new ObjectCounts(0, 6), "confirmed", null),
                new SiteHistoryEntry("0123456789abcdef", first.AddDays(10), "not-assessable", null, null, null, null, null, null, null, "1 of 2 tiles over it were masked or outside the scene"),
                new SiteHistoryEntry(SceneId.Value, Scene().AcquiredAt, "flagged", site.Id, site.Probability, site.ChangeType, site.ChangedPixels,
                    site.AreaSquareMetres, site.Objects, site.Status, note),
            ],
        };
    }

    public static ReportModel ChangeReport(SceneSummary? scene = null, params SiteModel[] sites) => new()
    {
        Kind = Core.Pipeline.ReportKinds.Change,
        Aoi = "aoi-1",
        Scene = scene ?? Scene(),
        Baseline = Baseline(),
        ModelVersion = "v1",
        ModelSha256 = new string('c', 64),
        ModelThreshold = 0.6,
        CodeVersion = "0.1.0+abc123",
        Tiles = new TileCounts(4, 3, 1, 2),
        Sites = sites,
        Caveats = ["Baseline acquisition time was not given; the upload time was used."],
        ReceivedAt = new DateTimeOffset(2026, 5, 3, 10, 0, 0, TimeSpan.Zero),
        ReportedAt = new DateTimeOffset(2026, 5, 3, 10, 5, 0, TimeSpan.Zero),
        Custody =
        [
            new CustodyEntry("received", "SceneUploaded@host", new DateTimeOffset(2026, 5, 3, 10, 0, 1, TimeSpan.Zero), "sha256=" + SceneSha),
        ],
    };

    public static ReportModel BaselineReport() => new()
    {
        Kind = Core.Pipeline.ReportKinds.BaselineRegistered,
        Aoi = "aoi-1",
        Scene = Scene(),
        CodeVersion = "0.1.0+abc123",
        Tiles = new TileCounts(4, 4, 0, 0),
        ReceivedAt = new DateTimeOffset(2026, 5, 3, 10, 0, 0, TimeSpan.Zero),
        ReportedAt = new DateTimeOffset(2026, 5, 3, 10, 5, 0, TimeSpan.Zero),
    };

    /// <summary>A raster whose band b holds <paramref name="value"/>(b, x, y).</summary>
    public static TileRaster Raster(int width, int height, int bands, Func<int, int, int, float> value)
    {
        var raster = new TileRaster(width, height, bands);
        for (var b = 0; b < bands; b++)
        {
            for (var y = 0; y < height; y++)
            {
                var row = raster.Row(b, y);
                for (var x = 0; x < width; x++)
                {
                    row[x] = value(b, x, y);
                }
            }
        }

        return raster;
    }

    public static ReportImagery NoImagery() => new(null, 1, new Dictionary<string, SiteChips>());
}

/// <summary>Maps EPSG:32633 (x, y) to (lat, lon) = (y / 100 000, x / 100 000) and remembers what it was asked.</summary>
internal sealed class FakeGeoLocator : Core.Ports.IGeoLocator
{
    public List<(int Epsg, double X, double Y)> Calls { get; } = [];

    public bool TryToWgs84(int epsg, double x, double y, out double latitude, out double longitude)
    {
        Calls.Add((epsg, x, y));
        if (epsg != 32633)
        {
            latitude = longitude = 0;
            return false;
        }

        latitude = y / 100_000;
        longitude = x / 100_000;
        return true;
    }
}

/// <summary>Finds files of the repository from the test's output folder.</summary>
internal static class RepoFiles
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ChangeWatch.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ChangeWatch.slnx not found above " + AppContext.BaseDirectory);
    }

    public static string Get(params string[] parts) => Path.Combine([Root(), .. parts]);
}
