using System.Buffers.Binary;
using System.IO.Compression;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Imaging.Decoding;

namespace ChangeWatch.Imaging.Tests;

public sealed class ByteOrderTests
{
    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 8)]
    [InlineData(false, 1)]
    [InlineData(false, 8)]
    public void ReadWindow_UInt16InEitherByteOrder_ReturnsTheStoredValues(bool bigEndian, ushort compression)
    {
        const int width = 12, height = 5;
        var samples = new byte[width * height * 2];
        for (var i = 0; i < width * height; i++)
        {
            var value = Value(i / width, i % width);
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(samples.AsSpan(i * 2), value);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(samples.AsSpan(i * 2), value);
            }
        }

        var pixels = compression == 8 ? Deflate(samples) : samples;
        var bytes = TiffBuilder.Grey16(width, height, pixels, bigEndian, compression).Build();
        using var stream = new MemoryStream(bytes);
        using var source = new RasterDecoder().Open(stream, RasterFormat.Tiff, new DecodeLimits());
        var data = new float[width * height];

        source.ReadWindow(new PixelWindow(0, 0, width, height), data);

        Assert.Equal(Enumerable.Range(0, width * height).Select(i => (float)Value(i / width, i % width)), data);
    }

    private static ushort Value(int row, int col) => (ushort)((row * 1000) + (col * 7) + 300);

    private static byte[] Deflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }
}
