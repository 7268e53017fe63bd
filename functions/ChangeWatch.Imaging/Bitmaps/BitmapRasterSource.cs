using System.Globalization;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace ChangeWatch.Imaging.Bitmaps;

/// <summary>
/// A PNG, JPEG or BMP decoded whole by ImageSharp and held in memory (these arrive small; the header is checked
/// against the limits first, so memory stays under MaxPixels × 6 bytes). Colour images give 3 bands (R, G, B), grey
/// ones 1; 16-bit PNGs keep 16 bits (<see cref="SampleFormat.UInt16"/>); alpha is dropped. No georeferencing.
/// </summary>
internal sealed class BitmapRasterSource : IRasterSource
{
    // 14-byte file header + the smallest (12-byte OS/2 core) info header.
    private const int MinimumBmpBytes = 26;

    private readonly Image _image;
    private bool _disposed;

    private BitmapRasterSource(Image image, RasterInfo info)
    {
        _image = image;
        Info = info;
    }

    public RasterInfo Info { get; }

    public static BitmapRasterSource Open(Stream stream, RasterFormat format, DecodeLimits limits)
    {
        var configuration = ConfigurationFor(format);
        var start = stream.Position;
        Span<byte> magic = stackalloc byte[RasterFormatSniffer.HeaderLength];
        var signed = RasterFormatSniffer.Detect(magic[..stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false)]) == format;
        stream.Position = start;
        if (signed && format == RasterFormat.Bmp && stream.Length - start < MinimumBmpBytes)
        {
            // ImageSharp reports a BMP without its info header as "not supported"; it is a truncated file.
            throw new RejectedInputException(RejectionCode.CorruptImage, "The BMP file ends inside its headers.");
        }

        IImageInfo? header;
        try
        {
            header = Image.Identify(configuration, stream);
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw Map(e, format, signed);
        }

        if (header is null)
        {
            throw new RejectedInputException(signed ? RejectionCode.CorruptImage : RejectionCode.UnsupportedFormat, $"The bytes are not a readable {format} image.");
        }

        if (header.Width <= 0 || header.Height <= 0)
        {
            throw new RejectedInputException(RejectionCode.CorruptImage, $"The {format} header declares an empty image.");
        }

        var (pixelKind, bands, sampleFormat) = Choose(format, header);
        if (header.Width > limits.MaxDimension || header.Height > limits.MaxDimension
            || (long)header.Width * header.Height > limits.MaxPixels || bands > limits.MaxBands)
        {
            throw new RejectedInputException(RejectionCode.TooManyPixels, string.Create(CultureInfo.InvariantCulture,
                $"The {format} image is {header.Width} x {header.Height} pixels with {bands} bands, beyond the configured limits."));
        }

        stream.Position = start;
        Image image;
        try
        {
            image = pixelKind switch
            {
                PixelKind.L8 => Image.Load<L8>(configuration, stream),
                PixelKind.L16 => Image.Load<L16>(configuration, stream),
                PixelKind.Rgb48 => Image.Load<Rgb48>(configuration, stream),
                _ => Image.Load<Rgb24>(configuration, stream),
            };
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw Map(e, format, signed);
        }

        if (image.Width != header.Width || image.Height != header.Height)
        {
            image.Dispose();
            throw new RejectedInputException(RejectionCode.CorruptImage, $"The {format} image decoded to a size its header did not declare.");
        }

        return new BitmapRasterSource(image, new RasterInfo(image.Width, image.Height, bands, sampleFormat, format, null, null));
    }

    public void ReadWindow(PixelWindow window, Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window.Width, nameof(window));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window.Height, nameof(window));
        var planeSize = checked(window.Width * window.Height);
        var needed = checked(planeSize * Info.BandCount);
        if (destination.Length < needed)
        {
            throw new ArgumentException($"The destination holds {destination.Length} samples; the window needs {needed}.", nameof(destination));
        }

        var dest = destination[..needed];
        var clip = window.ClipTo(Info.Width, Info.Height);
        if (clip.Width != window.Width || clip.Height != window.Height)
        {
            dest.Fill(float.NaN);
        }

        if (clip.IsEmpty)
        {
            return;
        }

        for (var y = clip.Y; y < clip.Y + clip.Height; y++)
        {
            var at = ((y - window.Y) * window.Width) + (clip.X - window.X);
            switch (_image)
            {
                case Image<Rgb24> rgb:
                    var row = rgb.DangerousGetPixelRowMemory(y).Span.Slice(clip.X, clip.Width);
                    var r = dest.Slice(at, clip.Width);
                    var g = dest.Slice(planeSize + at, clip.Width);
                    var b = dest.Slice((2 * planeSize) + at, clip.Width);
                    for (var i = 0; i < row.Length; i++)
                    {
                        r[i] = row[i].R;
                        g[i] = row[i].G;
                        b[i] = row[i].B;
                    }

                    break;
                case Image<Rgb48> rgb48:
                    var row48 = rgb48.DangerousGetPixelRowMemory(y).Span.Slice(clip.X, clip.Width);
                    var r48 = dest.Slice(at, clip.Width);
                    var g48 = dest.Slice(planeSize + at, clip.Width);
                    var b48 = dest.Slice((2 * planeSize) + at, clip.Width);
                    for (var i = 0; i < row48.Length; i++)
                    {
                        r48[i] = row48[i].R;
                        g48[i] = row48[i].G;
                        b48[i] = row48[i].B;
                    }

                    break;
                case Image<L8> grey:
                    var row8 = grey.DangerousGetPixelRowMemory(y).Span.Slice(clip.X, clip.Width);
                    var d8 = dest.Slice(at, clip.Width);
                    for (var i = 0; i < row8.Length; i++)
                    {
                        d8[i] = row8[i].PackedValue;
                    }

                    break;
                case Image<L16> grey16:
                    var row16 = grey16.DangerousGetPixelRowMemory(y).Span.Slice(clip.X, clip.Width);
                    var d16 = dest.Slice(at, clip.Width);
                    for (var i = 0; i < row16.Length; i++)
                    {
                        d16[i] = row16[i].PackedValue;
                    }

                    break;
            }
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _image.Dispose();
        }
    }

    private static Configuration ConfigurationFor(RasterFormat format) => format switch
    {
        RasterFormat.Png => new Configuration(new PngConfigurationModule()),
        RasterFormat.Jpeg => new Configuration(new JpegConfigurationModule()),
        RasterFormat.Bmp => new Configuration(new BmpConfigurationModule()),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Only PNG, JPEG and BMP are decoded by ImageSharp."),
    };

    private static (PixelKind Kind, int Bands, SampleFormat Format) Choose(RasterFormat format, IImageInfo header)
    {
        switch (format)
        {
            case RasterFormat.Png:
                var png = header.Metadata.GetPngMetadata();
                var grey = png.ColorType is PngColorType.Grayscale or PngColorType.GrayscaleWithAlpha;
                var sixteen = png.BitDepth == PngBitDepth.Bit16;
                return (grey, sixteen) switch
                {
                    (true, true) => (PixelKind.L16, 1, SampleFormat.UInt16),
                    (true, false) => (PixelKind.L8, 1, SampleFormat.UInt8),
                    (false, true) => (PixelKind.Rgb48, 3, SampleFormat.UInt16),
                    _ => (PixelKind.Rgb24, 3, SampleFormat.UInt8),
                };
            case RasterFormat.Jpeg:
                return header.Metadata.GetJpegMetadata().ColorType == JpegColorType.Luminance
                    ? (PixelKind.L8, 1, SampleFormat.UInt8)
                    : (PixelKind.Rgb24, 3, SampleFormat.UInt8);
            default:
                return (PixelKind.Rgb24, 3, SampleFormat.UInt8);
        }
    }

    // Stream I/O failures other than a premature end stay transient; everything the decoder throws about content is a rejection.
    private static bool IsDecodeFailure(Exception e) =>
        e is not (RejectedInputException or OperationCanceledException or OutOfMemoryException)
        && (e is not IOException || e is EndOfStreamException);

    // A file that starts with the format's signature but that the decoder cannot recognise is damaged (e.g. a BMP
    // file header with nothing after it); one without the signature is simply not that format.
    private static RejectedInputException Map(Exception e, RasterFormat format, bool signed) => e switch
    {
        UnknownImageFormatException when signed => new RejectedInputException(RejectionCode.CorruptImage, $"The {format} signature is followed by unreadable data.", e),
        UnknownImageFormatException => new RejectedInputException(RejectionCode.UnsupportedFormat, $"The bytes are not a readable {format} image.", e),
        NotSupportedException => new RejectedInputException(RejectionCode.UnsupportedFormat, $"This {format} variant is not supported: {e.Message}", e),
        _ => new RejectedInputException(RejectionCode.CorruptImage, $"The {format} image could not be decoded: {e.Message}", e),
    };

    private enum PixelKind
    {
        Rgb24,
        Rgb48,
        L8,
        L16,
    }
}
