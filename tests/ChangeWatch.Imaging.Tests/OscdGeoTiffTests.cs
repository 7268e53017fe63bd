using ChangeWatch.Core.Imaging;
using ChangeWatch.Imaging.Decoding;

namespace ChangeWatch.Imaging.Tests;

/// <summary>Reads the real Sentinel-2 GeoTIFFs of the OSCD dataset (../shared/data/oscd), when present.</summary>
public sealed class OscdGeoTiffTests
{
    private static readonly string[] BlueBands = FindBlueBands();

    [Fact]
    public void Open_OscdBlueBands_ReadEpsg4326WithAPlausibleGeotransformAndPixels()
    {
        SkipWhenAbsent();
        foreach (var path in BlueBands)
        {
            using var stream = File.OpenRead(path);
            using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, new DecodeLimits());
            var info = source.Info;
            var t = info.GeoReference!.Transform;

            Assert.Equal(4326, info.GeoReference.Epsg);
            Assert.Equal((1, SampleFormat.UInt16), (info.BandCount, info.SampleFormat));
            Assert.True(t.IsNorthUp, path);
            Assert.InRange(t.PixelWidth, 5e-5, 2e-4); // about 10 m in degrees
            Assert.InRange(t.PixelHeight, -2e-4, -5e-5);
            Assert.InRange(t.OriginX, -180, 180);
            Assert.InRange(t.OriginY, -60, 75);
            var pixels = new float[info.PixelCount];
            source.ReadWindow(new PixelWindow(0, 0, info.Width, info.Height), pixels);
            Assert.All(pixels, v => Assert.InRange(v, 1, 20000)); // top-of-atmosphere reflectance × 10000
        }
    }

    [Fact]
    public void Open_OscdBlueBands_MatchGdalGeotransformAndPixelValues()
    {
        SkipWhenAbsent();
        Gdal.SkipWhenAbsent();
        foreach (var path in BlueBands)
        {
            using var stream = File.OpenRead(path);
            using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, new DecodeLimits());
            var info = source.Info;
            var t = info.GeoReference!.Transform;
            var gdal = Gdal.Info(path);

            Assert.Equal(gdal.Epsg, info.GeoReference.Epsg);
            Assert.Equal(gdal.OriginX, t.OriginX, 1e-9);
            Assert.Equal(gdal.OriginY, t.OriginY, 1e-9);
            Assert.Equal(gdal.PixelWidth, t.PixelWidth, 1e-12);
            Assert.Equal(gdal.PixelHeight, t.PixelHeight, 1e-12);
            foreach (var (col, row) in new[] { (0, 0), (info.Width - 1, info.Height - 1), (info.Width / 2, info.Height / 3), (7, info.Height - 2) })
            {
                var value = new float[1];
                source.ReadWindow(new PixelWindow(col, row, 1, 1), value);
                Assert.Equal(Gdal.ValuesAt(path, col, row)[0], value[0]);
            }
        }
    }

    private static void SkipWhenAbsent()
    {
        if (BlueBands.Length == 0)
        {
            Assert.Skip($"No OSCD band files under {Path.Combine(RepoPaths.SharedData, "oscd")} (<city>/imgs_1/*_B02.tif).");
        }
    }

    private static string[] FindBlueBands()
    {
        var root = Path.Combine(RepoPaths.SharedData, "oscd");
        return Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .SelectMany(city => Directory.Exists(Path.Combine(city, "imgs_1")) ? Directory.GetFiles(Path.Combine(city, "imgs_1"), "*_B02.tif") : [])
                .Order(StringComparer.Ordinal)
                .ToArray()
            : [];
    }
}
