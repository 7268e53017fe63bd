using ChangeWatch.Core.Imaging;
using ChangeWatch.Imaging.Decoding;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace ChangeWatch.Imaging.Tests;

public sealed class BitmapDecodeTests
{
    private static readonly DecodeLimits Limits = new();

    [Fact]
    public void ReadWindow_RgbPng_ReturnsRedGreenBlueBandsWithTheExactPixelValues()
    {
        using var image = new Image<Rgb24>(33, 21);
        for (var y = 0; y < 21; y++)
        {
            for (var x = 0; x < 33; x++)
            {
                image[x, y] = new Rgb24((byte)(x * 7), (byte)(y * 11), (byte)((x + y) * 3));
            }
        }

        using var png = new MemoryStream();
        image.SaveAsPng(png, new PngEncoder { ColorType = PngColorType.Rgb });
        using var source = new RasterDecoder().Open(png, RasterFormat.Png, Limits);
        var window = new PixelWindow(30, 18, 5, 5);
        var data = new float[window.Width * window.Height * 3];

        source.ReadWindow(window, data);

        Assert.Equal(new RasterInfo(33, 21, 3, SampleFormat.UInt8, RasterFormat.Png, null, null), source.Info);
        for (var y = 0; y < 5; y++)
        {
            for (var x = 0; x < 5; x++)
            {
                var (col, row) = (30 + x, 18 + y);
                var inside = col < 33 && row < 21;
                var at = (y * 5) + x;
                Assert.Equal(inside ? col * 7 : float.NaN, data[at]);
                Assert.Equal(inside ? row * 11 : float.NaN, data[25 + at]);
                Assert.Equal(inside ? (col + row) * 3 : float.NaN, data[50 + at]);
            }
        }
    }

    [Fact]
    public void ReadWindow_Grey16Png_KeepsSixteenBitValuesInOneBand()
    {
        using var image = new Image<L16>(10, 4);
        for (var x = 0; x < 10; x++)
        {
            image[x, 2] = new L16((ushort)(x * 6000));
        }

        using var png = new MemoryStream();
        image.SaveAsPng(png, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 });
        using var source = new RasterDecoder().Open(png, RasterFormat.Png, Limits);
        var row = new float[10];

        source.ReadWindow(new PixelWindow(0, 2, 10, 1), row);

        Assert.Equal((1, SampleFormat.UInt16), (source.Info.BandCount, source.Info.SampleFormat));
        Assert.Equal(Enumerable.Range(0, 10).Select(x => (float)(x * 6000)), row);
    }

    [Fact]
    public void ReadWindow_Bmp_ReturnsThreeBandsWithTheExactPixelValues()
    {
        using var image = new Image<Rgb24>(8, 8, new Rgb24(12, 34, 56));
        image[3, 5] = new Rgb24(200, 100, 50);
        using var bmp = new MemoryStream();
        image.SaveAsBmp(bmp);
        using var source = new RasterDecoder().Open(bmp, RasterFormat.Bmp, Limits);
        var data = new float[3];

        source.ReadWindow(new PixelWindow(3, 5, 1, 1), data);

        Assert.Equal([200f, 100f, 50f], data);
    }

    [Fact]
    public void ReadWindow_Jpeg_DecodesColourCloseToTheSource()
    {
        using var image = new Image<Rgb24>(32, 32, new Rgb24(40, 160, 220));
        using var jpeg = new MemoryStream();
        image.SaveAsJpeg(jpeg, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 95 });
        using var source = new RasterDecoder().Open(jpeg, RasterFormat.Jpeg, Limits);
        var data = new float[3];

        source.ReadWindow(new PixelWindow(16, 16, 1, 1), data);

        Assert.Equal(3, source.Info.BandCount);
        Assert.InRange(data[0], 36, 44);
        Assert.InRange(data[1], 156, 164);
        Assert.InRange(data[2], 216, 224);
    }
}
