using ChangeWatch.Core.Imaging;
using ChangeWatch.Imaging.Decoding;
using ChangeWatch.Imaging.GeoTiff;

namespace ChangeWatch.Imaging.Tests;

public sealed class GeoTiffRoundTripTests
{
    private static readonly DecodeLimits Limits = new();

    public static TheoryData<SampleFormat, TiffCompression, bool, bool> Layouts()
    {
        var data = new TheoryData<SampleFormat, TiffCompression, bool, bool>();
        foreach (var format in Enum.GetValues<SampleFormat>())
        {
            foreach (var compression in Enum.GetValues<TiffCompression>())
            {
                foreach (var tiled in new[] { false, true })
                {
                    foreach (var planar in new[] { false, true })
                    {
                        data.Add(format, compression, tiled, planar);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void ReadWindow_EveryLayoutTypeAndCompression_ReturnsTheWrittenValues(
        SampleFormat format, TiffCompression compression, bool tiled, bool planar)
    {
        var options = Some.Options(format: format) with
        {
            Compression = compression, Tiled = tiled, TileSize = 16, Planar = planar, RowsPerStrip = 7,
        };
        var bytes = Some.WriteTiff(options);

        using var stream = new MemoryStream(bytes);
        using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, Limits);

        Assert.Equal(new RasterInfo(70, 45, 3, format, RasterFormat.Tiff, null, null), source.Info);
        AssertWindow(source, format, new PixelWindow(0, 0, 70, 45));
        AssertWindow(source, format, new PixelWindow(13, 5, 20, 17));
        AssertWindow(source, format, new PixelWindow(60, 40, 10, 5));
    }

    [Theory]
    [InlineData(TiffCompression.None, false)]
    [InlineData(TiffCompression.Deflate, true)]
    [InlineData(TiffCompression.Lzw, false)]
    public void ReadWindow_BigTiff_ReturnsTheWrittenValues(TiffCompression compression, bool tiled)
    {
        var options = Some.Options(format: SampleFormat.Float32) with { BigTiff = true, Compression = compression, Tiled = tiled, TileSize = 32 };
        var bytes = Some.WriteTiff(options);
        Assert.Equal(43, bytes[2]);

        using var stream = new MemoryStream(bytes);
        using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, Limits);

        AssertWindow(source, SampleFormat.Float32, new PixelWindow(0, 0, 70, 45));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadWindow_WindowExtendingBeyondTheRaster_FillsOutsidePixelsWithNaN(bool tiled)
    {
        var options = Some.Options(width: 40, height: 30, bands: 2) with { Tiled = tiled, TileSize = 16 };
        using var stream = new MemoryStream(Some.WriteTiff(options));
        using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, Limits);
        var window = new PixelWindow(-5, 20, 50, 20);
        var data = new float[window.Width * window.Height * 2];

        source.ReadWindow(window, data);

        for (var b = 0; b < 2; b++)
        {
            for (var y = 0; y < window.Height; y++)
            {
                for (var x = 0; x < window.Width; x++)
                {
                    var (col, row) = (window.X + x, window.Y + y);
                    var actual = data[(b * window.Width * window.Height) + (y * window.Width) + x];
                    var inside = col is >= 0 and < 40 && row is >= 0 and < 30;
                    Assert.Equal(inside ? Some.Value(SampleFormat.UInt16, row, col, b) : float.NaN, actual);
                }
            }
        }
    }

    [Fact]
    public void ReadWindow_WindowEntirelyOutside_ReturnsAllNaN()
    {
        using var stream = new MemoryStream(Some.WriteTiff(Some.Options()));
        using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, Limits);
        var data = new float[10 * 10 * 3];

        source.ReadWindow(new PixelWindow(100, 100, 10, 10), data);

        Assert.All(data, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void ReadWindow_DestinationTooShort_Throws()
    {
        using var stream = new MemoryStream(Some.WriteTiff(Some.Options()));
        using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, Limits);

        Assert.Throws<ArgumentException>(() => source.ReadWindow(new PixelWindow(0, 0, 10, 10), new float[299]));
    }

    [Fact]
    public void ReadWindow_GdalNoDataValue_BecomesNaN()
    {
        var options = Some.Options(width: 20, height: 10, bands: 1, format: SampleFormat.Int16) with { NoData = -9999 };
        var bytes = Some.WriteTiff(options, (row, col, _) => col == 3 ? -9999 : row + col);
        using var stream = new MemoryStream(bytes);
        using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, Limits);
        var data = new float[20 * 10];

        source.ReadWindow(new PixelWindow(0, 0, 20, 10), data);

        Assert.Equal(-9999, source.Info.NoData);
        Assert.True(float.IsNaN(data[(4 * 20) + 3]));
        Assert.Equal(4 + 4, data[(4 * 20) + 4]);
    }

    [Fact]
    public void ReadWindow_SmallChunkCacheAndManyWindows_ReturnsTheSameValuesAsALargeCache()
    {
        var options = Some.Options(width: 300, height: 200, bands: 2, format: SampleFormat.Float32) with { Compression = TiffCompression.Deflate, RowsPerStrip = 64 };
        var bytes = Some.WriteTiff(options);
        using var stream = new MemoryStream(bytes);
        using var small = new RasterDecoder(chunkCacheBytes: 1024).Open(stream, RasterFormat.Tiff, Limits);

        for (var y = -16; y < 200; y += 48)
        {
            for (var x = -16; x < 300; x += 48)
            {
                AssertWindow(small, SampleFormat.Float32, new PixelWindow(x, y, 64, 64));
            }
        }
    }

    [Fact]
    public void Open_WrittenGeoReference_ReadsBackEpsgAndTransform()
    {
        var options = Some.Options() with { GeoReference = Some.UtmGeo };
        using var stream = new MemoryStream(Some.WriteTiff(options));
        using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, Limits);

        Assert.Equal(Some.UtmGeo, source.Info.GeoReference);
    }

    [Fact]
    public void Open_GeographicWgs84_ReadsBackEpsg4326()
    {
        var geo = new GeoReference(4326, new GeoTransform(54.3, 0.0001, 0, 24.5, 0, -0.0001));
        using var stream = new MemoryStream(Some.WriteTiff(Some.Options() with { GeoReference = geo }));
        using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, Limits);

        Assert.Equal(geo, source.Info.GeoReference);
    }

    [Fact]
    public void Open_RotatedTransform_RoundTripsThroughModelTransformation()
    {
        var geo = new GeoReference(32633, new GeoTransform(500_000, 10, 2, 5_000_000, 1.5, -10));
        using var stream = new MemoryStream(Some.WriteTiff(Some.Options() with { GeoReference = geo }));
        using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, Limits);

        Assert.Equal(geo, source.Info.GeoReference);
    }

    [Fact]
    public void Open_PixelIsPoint_ShiftsTheOriginHalfAPixelLikeGdal()
    {
        var bytes = Some.WriteTiff(Some.Options() with { GeoReference = Some.UtmGeo });
        // GTRasterTypeGeoKey entry (1025, 0, 1, PixelIsArea=1) -> PixelIsPoint=2.
        byte[] area = [0x01, 0x04, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00];
        var at = bytes.AsSpan().IndexOf(area);
        Assert.True(at > 0);
        bytes[at + 6] = 2;

        using var stream = new MemoryStream(bytes);
        using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, Limits);

        Assert.Equal(new GeoTransform(499_995, 10, 0, 5_000_005, 0, -10), source.Info.GeoReference!.Transform);
    }

    [Fact]
    public void TiffDateTime_WrittenTag_ReadsBackAsUtc()
    {
        var when = new DateTimeOffset(2024, 5, 17, 9, 30, 12, TimeSpan.FromHours(2));
        using var stream = new MemoryStream(Some.WriteTiff(Some.Options() with { DateTime = when }));

        Assert.Equal(when, TiffDateTime.Read(stream));
        Assert.Equal(TimeSpan.Zero, TiffDateTime.Read(stream)!.Value.Offset);
    }

    [Fact]
    public void TiffDateTime_NoTag_ReturnsNull()
    {
        using var stream = new MemoryStream(Some.WriteTiff(Some.Options()));

        Assert.Null(TiffDateTime.Read(stream));
    }

    internal static void AssertWindow(ChangeWatch.Core.Ports.IRasterSource source, SampleFormat format, PixelWindow window)
    {
        var bands = source.Info.BandCount;
        var data = new float[window.Width * window.Height * bands];
        source.ReadWindow(window, data);
        for (var b = 0; b < bands; b++)
        {
            for (var y = 0; y < window.Height; y++)
            {
                for (var x = 0; x < window.Width; x++)
                {
                    var (col, row) = (window.X + x, window.Y + y);
                    var inside = col >= 0 && row >= 0 && col < source.Info.Width && row < source.Info.Height;
                    var expected = inside ? Some.Value(format, row, col, b) : float.NaN;
                    var actual = data[(b * window.Width * window.Height) + (y * window.Width) + x];
                    if (!expected.Equals(actual))
                    {
                        Assert.Fail($"band {b} row {row} col {col}: expected {expected}, read {actual}");
                    }
                }
            }
        }
    }
}
