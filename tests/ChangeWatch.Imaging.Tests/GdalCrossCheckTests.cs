using ChangeWatch.Core.Imaging;
using ChangeWatch.Imaging.Decoding;
using ChangeWatch.Imaging.GeoTiff;

namespace ChangeWatch.Imaging.Tests;

/// <summary>GDAL, when installed, reads what <see cref="GeoTiffWriter"/> writes (georeference, no-data, pixels), and we read what GDAL writes.</summary>
public sealed class GdalCrossCheckTests
{
    public static TheoryData<SampleFormat, TiffCompression, bool, bool, bool> Variants() => new()
    {
        { SampleFormat.Float32, TiffCompression.Deflate, true, true, false },
        { SampleFormat.Int16, TiffCompression.Lzw, false, false, true },
        { SampleFormat.UInt16, TiffCompression.PackBits, true, false, false },
        { SampleFormat.UInt8, TiffCompression.None, false, true, true },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Write_GeoTiff_GdalReadsTheSameGeoreferenceAndPixels(SampleFormat format, TiffCompression compression, bool tiled, bool planar, bool bigTiff)
    {
        Gdal.SkipWhenAbsent();
        var path = Path.Combine(Path.GetTempPath(), $"cw-imaging-{Guid.NewGuid():N}.tif");
        try
        {
            var options = Some.Options(width: 50, height: 40, bands: 2, format: format) with
            {
                Compression = compression, Tiled = tiled, TileSize = 16, Planar = planar, BigTiff = bigTiff, GeoReference = Some.UtmGeo,
            };
            File.WriteAllBytes(path, Some.WriteTiff(options));

            var gdal = Gdal.Info(path);

            Assert.Equal(32633, gdal.Epsg);
            Assert.Equal((500_000.0, 5_000_000.0, 10.0, -10.0), (gdal.OriginX, gdal.OriginY, gdal.PixelWidth, gdal.PixelHeight));
            Assert.Contains("AREA_OR_POINT=Area", gdal.Text, StringComparison.Ordinal);
            foreach (var (col, row) in new[] { (0, 0), (49, 39), (17, 23) })
            {
                // gdallocationinfo prints doubles rounded to 15-17 digits; compared as float they must be exact.
                var values = Gdal.ValuesAt(path, col, row).Select(v => (float)v);
                Assert.Equal([Some.Value(format, row, col, 0), Some.Value(format, row, col, 1)], values);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Encode_Tile_GdalReadsEpsg4326AndNanNoData()
    {
        Gdal.SkipWhenAbsent();
        var path = Path.Combine(Path.GetTempPath(), $"cw-imaging-{Guid.NewGuid():N}.tif");
        try
        {
            var geo = new GeoReference(4326, new GeoTransform(54.5, 0.0001, 0, 24.4, 0, -0.0001));
            var tile = new TileRaster(8, 8, 1, Enumerable.Range(0, 64).Select(i => i == 9 ? float.NaN : i * 0.5f).ToArray(), geo);
            using (var file = File.Create(path))
            {
                new GeoTiffTileCodec().Encode(tile, file);
            }

            var gdal = Gdal.Info(path);

            Assert.Equal(4326, gdal.Epsg);
            Assert.Equal((54.5, 24.4, 0.0001, -0.0001), (gdal.OriginX, gdal.OriginY, gdal.PixelWidth, gdal.PixelHeight));
            Assert.Contains("NoData Value=nan", gdal.Text, StringComparison.Ordinal);
            Assert.Equal([1.5], Gdal.ValuesAt(path, 3, 0));
            Assert.True(double.IsNaN(Gdal.ValuesAt(path, 1, 1)[0]));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(SampleFormat.UInt16, "2", "LITTLE", "PIXEL", true)]
    [InlineData(SampleFormat.UInt16, "2", "BIG", "PIXEL", false)]
    [InlineData(SampleFormat.Int16, "2", "BIG", "BAND", true)]
    [InlineData(SampleFormat.UInt8, "2", "LITTLE", "BAND", false)]
    [InlineData(SampleFormat.Float32, "3", "LITTLE", "PIXEL", true)]
    [InlineData(SampleFormat.Float32, "3", "BIG", "BAND", false)]
    [InlineData(SampleFormat.Float32, "1", "BIG", "PIXEL", true)]
    public void ReadWindow_GdalWrittenDeflate_ReturnsTheSourceValues(SampleFormat format, string predictor, string endianness, string interleave, bool tiled)
    {
        Gdal.SkipWhenAbsent();
        var source = Path.Combine(Path.GetTempPath(), $"cw-imaging-{Guid.NewGuid():N}.tif");
        var target = Path.ChangeExtension(source, ".deflate.tif");
        try
        {
            File.WriteAllBytes(source, Some.WriteTiff(Some.Options(width: 70, height: 45, bands: 3, format: format) with { Compression = TiffCompression.None }));
            string[] layout = tiled ? ["-co", "TILED=YES", "-co", "BLOCKXSIZE=32", "-co", "BLOCKYSIZE=16"] : ["-co", "BLOCKYSIZE=7"];
            Gdal.Translate([.. layout, "-q", "-co", "COMPRESS=DEFLATE", "-co", $"PREDICTOR={predictor}", "-co", $"ENDIANNESS={endianness}",
                "-co", $"INTERLEAVE={interleave}", source, target]);

            using var stream = File.OpenRead(target);
            using var raster = new RasterDecoder().Open(stream, RasterFormat.Tiff, new DecodeLimits());
            var window = new PixelWindow(5, 3, 60, 40);
            var values = new float[window.Width * window.Height * 3];
            raster.ReadWindow(window, values);

            for (var b = 0; b < 3; b++)
            {
                for (var y = 0; y < window.Height; y++)
                {
                    for (var x = 0; x < window.Width; x++)
                    {
                        Assert.Equal(Some.Value(format, window.Y + y, window.X + x, b), values[(b * window.Width * window.Height) + (y * window.Width) + x]);
                    }
                }
            }
        }
        finally
        {
            File.Delete(source);
            File.Delete(target);
        }
    }
}
