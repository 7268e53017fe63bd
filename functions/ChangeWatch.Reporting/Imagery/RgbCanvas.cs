using System.Buffers;
using ChangeWatch.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace ChangeWatch.Reporting.Imagery;

/// <summary>
/// An 8-bit RGB picture in a pooled buffer (3 bytes a pixel, row-major) that outlines can be drawn on pixel by pixel,
/// then encoded as PNG. Dispose to return the buffer.
/// </summary>
internal sealed class RgbCanvas : IDisposable
{
    private static readonly PngEncoder Encoder = new()
    {
        ColorType = PngColorType.Rgb,
        BitDepth = PngBitDepth.Bit8,
        CompressionLevel = PngCompressionLevel.DefaultCompression,
    };

    private byte[]? _buffer;

    public RgbCanvas(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        _buffer = ArrayPool<byte>.Shared.Rent(checked(width * height * 3));
        Pixels.Clear();
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The packed RGB bytes.</summary>
    public Span<byte> Pixels => (_buffer ?? throw new ObjectDisposedException(nameof(RgbCanvas))).AsSpan(0, Width * Height * 3);

    /// <summary>Renders <paramref name="raster"/> through <paramref name="stretch"/> onto a new canvas of its size.</summary>
    public static RgbCanvas From(TileRaster raster, DisplayStretch stretch)
    {
        var canvas = new RgbCanvas(raster.Width, raster.Height);
        stretch.Render(raster, canvas.Pixels);
        return canvas;
    }

    public void Set(int x, int y, Rgb24 colour)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            return;
        }

        var i = (y * Width + x) * 3;
        var pixels = Pixels;
        pixels[i] = colour.R;
        pixels[i + 1] = colour.G;
        pixels[i + 2] = colour.B;
    }

    /// <summary>
    /// Outlines the inclusive rectangle [<paramref name="x0"/>, <paramref name="x1"/>] × [<paramref name="y0"/>,
    /// <paramref name="y1"/>] with a border <paramref name="thickness"/> pixels wide drawn inward (a rectangle too small
    /// for a hole is filled); parts outside the canvas are clipped.
    /// </summary>
    public void DrawBox(int x0, int y0, int x1, int y1, int thickness, Rgb24 colour)
    {
        for (var y = Math.Max(y0, 0); y <= Math.Min(y1, Height - 1); y++)
        {
            var edgeRow = y < y0 + thickness || y > y1 - thickness;
            for (var x = Math.Max(x0, 0); x <= Math.Min(x1, Width - 1); x++)
            {
                if (edgeRow || x < x0 + thickness || x > x1 - thickness)
                {
                    Set(x, y, colour);
                }
            }
        }
    }

    /// <summary>
    /// Colours the boundary of <paramref name="mask"/> (row-major, canvas-sized, non-zero = inside): every inside pixel
    /// with a 4-neighbour outside, or on the canvas edge.
    /// </summary>
    public void DrawMaskBoundary(ReadOnlySpan<byte> mask, Rgb24 colour)
    {
        if (mask.Length != Width * Height)
        {
            throw new ArgumentException($"The mask has {mask.Length} values; the chip has {Width * Height} pixels.", nameof(mask));
        }

        for (var y = 0; y < Height; y++)
        {
            var row = mask.Slice(y * Width, Width);
            for (var x = 0; x < Width; x++)
            {
                if (row[x] == 0)
                {
                    continue;
                }

                var boundary = x == 0 || x == Width - 1 || y == 0 || y == Height - 1
                    || row[x - 1] == 0 || row[x + 1] == 0
                    || mask[(y - 1) * Width + x] == 0 || mask[(y + 1) * Width + x] == 0;
                if (boundary)
                {
                    Set(x, y, colour);
                }
            }
        }
    }

    /// <summary>Encodes the canvas as an 8-bit RGB PNG.</summary>
    public byte[] EncodePng()
    {
        using var image = Image.LoadPixelData<Rgb24>(Pixels, Width, Height);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, Encoder);
        return stream.ToArray();
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
