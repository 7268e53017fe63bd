using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Imaging.Decoding;
using ChangeWatch.Imaging.GeoTiff;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ChangeWatch.Imaging.Tests;

public sealed class RejectionTests
{
    private static readonly DecodeLimits Limits = new();

    public static TheoryData<string, string> BadInputs() => new()
    {
        { "tiff-magic-only", RejectionCode.CorruptImage },
        { "tiff-ifd-offset-beyond-end", RejectionCode.CorruptImage },
        { "tiff-uncompressed-strip-truncated", RejectionCode.CorruptImage },
        { "tiff-deflate-strip-beyond-end", RejectionCode.CorruptImage },
        { "tiff-deflate-stream-truncated", RejectionCode.CorruptImage },
        { "tiff-lzw-stream-garbage", RejectionCode.CorruptImage },
        { "tiff-deflate-ratio-bomb", RejectionCode.TooManyPixels },
        { "tiff-strip-offset-beyond-end", RejectionCode.CorruptImage },
        { "tiff-ifd-loop", RejectionCode.CorruptImage },
        { "tiff-tag-count-beyond-file", RejectionCode.CorruptImage },
        { "tiff-too-few-strip-offsets", RejectionCode.CorruptImage },
        { "tiff-huge-entry-count", RejectionCode.CorruptImage },
        { "tiff-no-width", RejectionCode.CorruptImage },
        { "tiff-jpeg-compression", RejectionCode.UnsupportedFormat },
        { "tiff-tiles-of-one-pixel", RejectionCode.UnsupportedFormat },
        { "tiff-zstd-compression", RejectionCode.UnsupportedFormat },
        { "tiff-1-bit", RejectionCode.UnsupportedFormat },
        { "tiff-float64", RejectionCode.UnsupportedFormat },
        { "tiff-bad-version", RejectionCode.UnsupportedFormat },
        { "png-signature-then-garbage", RejectionCode.CorruptImage },
        { "png-truncated", RejectionCode.CorruptImage },
        { "jpeg-signature-then-garbage", RejectionCode.CorruptImage },
        { "jpeg-truncated", RejectionCode.CorruptImage },
        { "bmp-header-only", RejectionCode.CorruptImage },
        { "png-bytes-declared-as-jpeg", RejectionCode.UnsupportedFormat },
        { "unknown-format", RejectionCode.UnsupportedFormat },
        { "empty", RejectionCode.EmptyFile },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Open_BadInput_RejectsWithItsCode(string name, string code)
    {
        var (bytes, format) = Make(name);

        var error = Assert.Throws<RejectedInputException>(() => OpenAndReadAll(bytes, format));

        Assert.True(code == error.Code, $"{error.Code}: {error.Message} {error.InnerException}");
    }

    [Fact]
    public void ReadWindow_CorruptDeflateStream_RejectsAsCorruptImageNotCrash()
    {
        var bytes = Some.WriteTiff(Some.Options(width: 64, height: 64, bands: 1) with { Compression = TiffCompression.Deflate, RowsPerStrip = 64 });
        // The single strip follows the 8-byte header; scribble over its zlib stream.
        for (var i = 10; i < 200; i++)
        {
            bytes[i] = (byte)(i * 37);
        }

        using var stream = new MemoryStream(bytes);
        using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, Limits);

        var error = Assert.Throws<RejectedInputException>(() => source.ReadWindow(new PixelWindow(0, 0, 64, 64), new float[64 * 64]));
        Assert.Equal(RejectionCode.CorruptImage, error.Code);
    }

    [Fact]
    public void Open_HeaderDeclaring100000By100000_RejectsAsTooManyPixelsWithoutAllocating()
    {
        var bytes = new TiffBuilder().Long(256, 100_000).Long(257, 100_000).Short(258, 8).Short(277, 1).Build();
        using var stream = new MemoryStream(bytes);
        var decoder = new RasterDecoder();
        _ = Assert.Throws<RejectedInputException>(() => decoder.Open(new MemoryStream(bytes), RasterFormat.Tiff, Limits)); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<RejectedInputException>(() => decoder.Open(stream, RasterFormat.Tiff, Limits));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(RejectionCode.TooManyPixels, error.Code);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(2000, 10, 1)]
    [InlineData(10, 2000, 1)]
    [InlineData(100, 100, 5)]
    public void Open_TiffBeyondLimits_RejectsAsTooManyPixels(int width, int height, int bands)
    {
        var limits = new DecodeLimits { MaxDimension = 1000, MaxPixels = 5000, MaxBands = 4 };
        var bytes = Some.WriteTiff(Some.Options(width, height, bands, SampleFormat.UInt8) with { Compression = TiffCompression.Deflate });

        var error = Assert.Throws<RejectedInputException>(() => new RasterDecoder().Open(new MemoryStream(bytes), RasterFormat.Tiff, limits));

        Assert.Equal(RejectionCode.TooManyPixels, error.Code);
    }

    [Fact]
    public void Open_PngBeyondLimits_RejectsAsTooManyPixels()
    {
        using var image = new Image<Rgb24>(300, 200);
        using var png = new MemoryStream();
        image.SaveAsPng(png);

        var error = Assert.Throws<RejectedInputException>(() =>
            new RasterDecoder().Open(png, RasterFormat.Png, new DecodeLimits { MaxPixels = 50_000 }));

        Assert.Equal(RejectionCode.TooManyPixels, error.Code);
    }

    private static void OpenAndReadAll(byte[] bytes, RasterFormat format)
    {
        using var stream = new MemoryStream(bytes);
        using var source = new RasterDecoder().Open(stream, format, Limits);
        var info = source.Info;
        source.ReadWindow(new PixelWindow(0, 0, info.Width, info.Height), new float[info.PixelCount * info.BandCount]);
    }

    private static (byte[] Bytes, RasterFormat Format) Make(string name)
    {
        var grey = TiffBuilder.Grey8(4, 4, new byte[16]);
        var valid = Some.WriteTiff(Some.Options(width: 64, height: 64, bands: 1, format: SampleFormat.UInt8) with { Compression = TiffCompression.None, RowsPerStrip = 8 });
        return name switch
        {
            "tiff-magic-only" => ("II*\0"u8.ToArray(), RasterFormat.Tiff),
            "tiff-ifd-offset-beyond-end" => ([0x49, 0x49, 0x2A, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0, 0, 0, 0], RasterFormat.Tiff),
            "tiff-uncompressed-strip-truncated" => (valid[..(valid.Length / 2)], RasterFormat.Tiff),
            "tiff-deflate-strip-beyond-end" => (TiffBuilder.Grey8(16, 16, Zlib(256)[..40]).Short(259, 8).Long(279, (uint)Zlib(256).Length).Build(), RasterFormat.Tiff),
            "tiff-deflate-ratio-bomb" => (TiffBuilder.Grey8(4096, 4096, Zlib(256)[..40]).Short(259, 8).Build(), RasterFormat.Tiff),
            "tiff-deflate-stream-truncated" => (TiffBuilder.Grey8(16, 16, Zlib(256)[..40]).Short(259, 8).Build(), RasterFormat.Tiff),
            "tiff-lzw-stream-garbage" => (TiffBuilder.Grey8(16, 16, Garbage(100)).Short(259, 5).Build(), RasterFormat.Tiff),
            "tiff-strip-offset-beyond-end" => (TiffBuilder.Grey8(4, 4, new byte[16]).Long(273, 1_000_000).Build(), RasterFormat.Tiff),
            "tiff-ifd-loop" => (new Func<byte[]>(() => { grey.NextIfdOffset = 8; return grey.Build(); })(), RasterFormat.Tiff),
            "tiff-tag-count-beyond-file" => (TiffBuilder.Grey8(4, 4, new byte[16]).Raw(258, 3, 0x7FFF_FFFF, 8).Build(), RasterFormat.Tiff),
            "tiff-too-few-strip-offsets" => (TiffBuilder.Grey8(4, 4, new byte[16]).Long(278, 1).Build(), RasterFormat.Tiff),
            "tiff-huge-entry-count" => ([0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0], RasterFormat.Tiff),
            "tiff-no-width" => (new TiffBuilder().Long(257, 4).Short(258, 8).Build(), RasterFormat.Tiff),
            "tiff-jpeg-compression" => (TiffBuilder.Grey8(4, 4, new byte[16]).Short(259, 7).Build(), RasterFormat.Tiff),
            "tiff-tiles-of-one-pixel" => (new TiffBuilder().Long(256, 2000).Long(257, 2000).Short(258, 8).Short(277, 1).Long(322, 1).Long(323, 1).Long(324, 8).Long(325, 1).Build(), RasterFormat.Tiff),
            "tiff-zstd-compression" => (TiffBuilder.Grey8(4, 4, new byte[16]).Short(259, 50000).Build(), RasterFormat.Tiff),
            "tiff-1-bit" => (TiffBuilder.Grey8(4, 4, new byte[16]).Short(258, 1).Build(), RasterFormat.Tiff),
            "tiff-float64" => (TiffBuilder.Grey8(4, 4, new byte[128]).Short(258, 64).Short(339, 3).Long(279, 128).Build(), RasterFormat.Tiff),
            "tiff-bad-version" => ([0x49, 0x49, 0x2C, 0x00, 8, 0, 0, 0], RasterFormat.Tiff),
            "png-signature-then-garbage" => ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Garbage(200)], RasterFormat.Png),
            "png-truncated" => (Png()[..300], RasterFormat.Png),
            "jpeg-signature-then-garbage" => ([0xFF, 0xD8, 0xFF, .. Garbage(200)], RasterFormat.Jpeg),
            "jpeg-truncated" => (Jpeg()[..400], RasterFormat.Jpeg),
            "bmp-header-only" => ([(byte)'B', (byte)'M', 0x36, 0x10, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0], RasterFormat.Bmp),
            "png-bytes-declared-as-jpeg" => (Png(), RasterFormat.Jpeg),
            "unknown-format" => ("hello world, not an image"u8.ToArray(), RasterFormat.Unknown),
            "empty" => ([], RasterFormat.Tiff),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    private static byte[] Zlib(int length)
    {
        var pixels = new byte[length];
        new Random(7).NextBytes(pixels);
        using var output = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(output, System.IO.Compression.CompressionLevel.Optimal))
        {
            zlib.Write(pixels);
        }

        return output.ToArray();
    }

    private static byte[] Garbage(int length)
    {
        var random = new Random(42);
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Png()
    {
        using var image = new Image<Rgb24>(64, 64);
        for (var y = 0; y < 64; y++)
        {
            for (var x = 0; x < 64; x++)
            {
                image[x, y] = new Rgb24((byte)(x * 4), (byte)(y * 4), (byte)((x * y) % 256));
            }
        }

        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    private static byte[] Jpeg()
    {
        using var image = new Image<Rgb24>(64, 64, new Rgb24(10, 200, 30));
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream);
        return stream.ToArray();
    }
}
