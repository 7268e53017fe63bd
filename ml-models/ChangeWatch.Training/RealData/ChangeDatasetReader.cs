using ChangeWatch.Core.Imaging;
using ChangeWatch.Imaging.Decoding;

namespace ChangeWatch.Training.RealData;

/// <summary>
/// Reads labelled change datasets laid out as the eval command documents:
/// <list type="bullet">
/// <item><c>oscd</c>: <c>DIR/&lt;city&gt;/imgs_1|imgs_2/*_B04|B03|B02|B08.tif</c> (read in that order: R, G, B, NIR) and
/// <c>DIR/&lt;city&gt;/cm/&lt;city&gt;-cm.tif</c> (2 = change); date 2 is aligned to date 1's grid by georeferencing
/// (pixels outside date 2 are NaN). Site = city.</item>
/// <item><c>sztaki</c>: every folder under DIR, at any depth (DIR itself included), holding <c>im1</c>, <c>im2</c> and
/// <c>gt</c> <c>.bmp</c> files, names in any case; gt &gt; 127 = change. Site = the folder's path under DIR.</item>
/// <item><c>levir</c>: <c>DIR/A</c>, <c>DIR/B</c>, <c>DIR/label</c> PNGs of the same names; label &gt; 127 = change.
/// Site = the first two underscore-separated parts of the name (<c>test_2_0000_0512</c> → <c>test_2</c>: crops of one
/// source image stay together).</item>
/// </list>
/// </summary>
internal static class ChangeDatasetReader
{
    public static readonly string[] Kinds = ["oscd", "sztaki", "levir"];

    private static readonly string[] OscdBands = ["B04", "B03", "B02", "B08"];

    /// <summary>
    /// Nominal ground sample distance of each layout in metres (../shared/data/SOURCES.md): Sentinel-2's 10 m bands,
    /// SZTAKI's 1.5 m aerial images, LEVIR-CD's 0.5 m.
    /// </summary>
    public static double NominalGroundSampleDistance(string kind) => kind switch
    {
        "oscd" => 10.0,
        "sztaki" => 1.5,
        "levir" => 0.5,
        _ => throw new ArgumentException($"Unknown dataset layout '{kind}' (oscd, sztaki or levir).", nameof(kind)),
    };

    /// <summary>Reads every pair of the <paramref name="kind"/> layout under <paramref name="directory"/>, at <paramref name="groundSampleDistance"/> metres a pixel (default: the layout's nominal one).</summary>
    public static IReadOnlyList<ChangePair> Read(string directory, string kind, double? groundSampleDistance = null)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Data folder {directory} not found.");
        }

        var pairs = kind switch
        {
            "oscd" => ReadOscd(directory),
            "sztaki" => ReadSztaki(directory),
            "levir" => ReadLevir(directory),
            _ => throw new ArgumentException($"Unknown dataset layout '{kind}' (oscd, sztaki or levir).", nameof(kind)),
        };
        if (pairs.Count == 0)
        {
            throw new InvalidDataException($"No {kind} pairs found under {directory}.");
        }

        var gsd = groundSampleDistance ?? NominalGroundSampleDistance(kind);
        return [.. pairs.Select(p => p with { GroundSampleDistance = gsd })];
    }

    private static List<ChangePair> ReadOscd(string directory)
    {
        var pairs = new List<ChangePair>();
        foreach (var city in Directory.GetDirectories(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(city);
            var label = Path.Combine(city, "cm", name + "-cm.tif");
            if (!File.Exists(label) || !Directory.Exists(Path.Combine(city, "imgs_1")) || !Directory.Exists(Path.Combine(city, "imgs_2")))
            {
                continue;
            }

            var (before, w, h, gt1) = ReadBands(Path.Combine(city, "imgs_1"));
            var (after2, w2, h2, gt2) = ReadBands(Path.Combine(city, "imgs_2"));
            // Date-2 pixel under each date-1 pixel centre (nearest neighbour): grids may differ in origin and pixel size.
            var sourceX = new int[w];
            var sourceY = new int[h];
            for (var x = 0; x < w; x++)
            {
                sourceX[x] = gt1 is { } a && gt2 is { } b ? (int)Math.Floor(b.MapToPixel(a.PixelToMap(x + 0.5, 0.5).X, a.OriginY).Col) : x;
            }

            for (var y = 0; y < h; y++)
            {
                sourceY[y] = gt1 is { } a && gt2 is { } b ? (int)Math.Floor(b.MapToPixel(b.OriginX, a.PixelToMap(0.5, y + 0.5).Y).Row) : y;
            }

            var after = new float[before.Length];
            after.AsSpan().Fill(float.NaN);
            for (var band = 0; band < OscdBands.Length; band++)
            {
                for (var y = 0; y < h; y++)
                {
                    var sy = sourceY[y];
                    if ((uint)sy >= (uint)h2)
                    {
                        continue;
                    }

                    for (var x = 0; x < w; x++)
                    {
                        var sx = sourceX[x];
                        if ((uint)sx < (uint)w2)
                        {
                            after[(band * h + y) * w + x] = after2[(band * h2 + sy) * w2 + sx];
                        }
                    }
                }
            }

            var (cm, lw, lh, _) = ReadRaster(label);
            if (lw != w || lh != h)
            {
                throw new InvalidDataException($"{label} is {lw}×{lh}, the date-1 images {w}×{h}.");
            }

            var truth = new byte[w * h];
            for (var i = 0; i < truth.Length; i++)
            {
                truth[i] = cm[i] == 2f ? (byte)1 : (byte)0;
            }

            pairs.Add(new ChangePair("oscd", name, name, w, h, OscdBands.Length, before, after, truth));
        }

        return pairs;
    }

    private static (float[] Data, int Width, int Height, GeoTransform? Transform) ReadBands(string folder)
    {
        float[]? data = null;
        int w = 0, h = 0;
        GeoTransform? transform = null;
        for (var b = 0; b < OscdBands.Length; b++)
        {
            var file = Directory.GetFiles(folder)
                .FirstOrDefault(f => Path.GetFileNameWithoutExtension(f).EndsWith("_" + OscdBands[b], StringComparison.OrdinalIgnoreCase)
                    && Path.GetExtension(f).StartsWith(".tif", StringComparison.OrdinalIgnoreCase))
                ?? throw new FileNotFoundException($"No *_{OscdBands[b]}.tif in {folder}.");
            var (band, bw, bh, t) = ReadRaster(file);
            if (data is null)
            {
                (w, h, transform) = (bw, bh, t);
                data = new float[OscdBands.Length * w * h];
            }
            else if (bw != w || bh != h)
            {
                throw new InvalidDataException($"{file} is {bw}×{bh}, the other bands {w}×{h}.");
            }

            band.AsSpan(0, w * h).CopyTo(data.AsSpan(b * w * h));
        }

        return (data!, w, h, transform);
    }

    private static List<ChangePair> ReadSztaki(string directory)
    {
        var pairs = new List<ChangePair>();
        var folders = new[] { directory }.Concat(Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories)).Order(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            var files = Directory.GetFiles(folder);
            string? Find(string stem) => files.FirstOrDefault(f =>
                string.Equals(Path.GetFileNameWithoutExtension(f), stem, StringComparison.OrdinalIgnoreCase)
                && string.Equals(Path.GetExtension(f), ".bmp", StringComparison.OrdinalIgnoreCase));
            var (im1, im2, gt) = (Find("im1"), Find("im2"), Find("gt"));
            if (im1 is null || im2 is null || gt is null)
            {
                continue;
            }

            var site = Path.GetRelativePath(directory, folder).Replace('\\', '/');
            pairs.Add(ReadRgbPair("sztaki", site == "." ? Path.GetFileName(Path.GetFullPath(folder)) : site, im1, im2, gt));
        }

        return pairs;
    }

    private static List<ChangePair> ReadLevir(string directory)
    {
        var (a, b, label) = (Path.Combine(directory, "A"), Path.Combine(directory, "B"), Path.Combine(directory, "label"));
        if (!Directory.Exists(a) || !Directory.Exists(b) || !Directory.Exists(label))
        {
            throw new DirectoryNotFoundException($"A levir folder holds A, B and label; {directory} does not.");
        }

        var pairs = new List<ChangePair>();
        foreach (var file in Directory.GetFiles(a, "*.png").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var (after, truth) = (Path.Combine(b, name), Path.Combine(label, name));
            if (!File.Exists(after) || !File.Exists(truth))
            {
                continue;
            }

            var stem = Path.GetFileNameWithoutExtension(name);
            var parts = stem.Split('_');
            var site = parts.Length >= 2 ? parts[0] + "_" + parts[1] : stem;
            pairs.Add(ReadRgbPair("levir", site, file, after, truth) with { Name = stem });
        }

        return pairs;
    }

    private static ChangePair ReadRgbPair(string dataset, string site, string im1, string im2, string gt)
    {
        var (before, w, h, _, bands) = ReadRasterWithBands(im1);
        var (after, w2, h2, _, bands2) = ReadRasterWithBands(im2);
        var (label, lw, lh, _, _) = ReadRasterWithBands(gt);
        if (w2 != w || h2 != h || lw != w || lh != h || bands2 != bands)
        {
            throw new InvalidDataException($"{im1}, {im2} and {gt} differ in size or bands.");
        }

        var truth = new byte[w * h];
        for (var i = 0; i < truth.Length; i++)
        {
            truth[i] = label[i] > 127f ? (byte)1 : (byte)0;
        }

        return new ChangePair(dataset, site, site, w, h, bands, before, after, truth);
    }

    private static (float[] Data, int Width, int Height, GeoTransform? Transform) ReadRaster(string path)
    {
        var (data, w, h, t, _) = ReadRasterWithBands(path);
        return (data, w, h, t);
    }

    private static (float[] Data, int Width, int Height, GeoTransform? Transform, int Bands) ReadRasterWithBands(string path)
    {
        var format = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".tif" or ".tiff" => RasterFormat.Tiff,
            ".png" => RasterFormat.Png,
            ".bmp" => RasterFormat.Bmp,
            ".jpg" or ".jpeg" => RasterFormat.Jpeg,
            _ => throw new InvalidDataException($"{path}: unknown image extension."),
        };
        using var stream = File.OpenRead(path);
        using var source = new RasterDecoder().Open(stream, format, new DecodeLimits());
        var info = source.Info;
        var data = new float[checked(info.Width * info.Height * info.BandCount)];
        source.ReadWindow(new PixelWindow(0, 0, info.Width, info.Height), data);
        return (data, info.Width, info.Height, info.GeoReference?.Transform, info.BandCount);
    }
}
