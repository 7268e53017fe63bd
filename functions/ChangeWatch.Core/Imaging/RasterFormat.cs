namespace ChangeWatch.Core.Imaging;

/// <summary>The container formats ChangeWatch accepts.</summary>
public enum RasterFormat
{
    /// <summary>Not a supported format.</summary>
    Unknown = 0,
    /// <summary>TIFF or GeoTIFF, classic or BigTIFF.</summary>
    Tiff,
    /// <summary>PNG (needs a sidecar).</summary>
    Png,
    /// <summary>JPEG (needs a sidecar).</summary>
    Jpeg,
    /// <summary>Windows bitmap (needs a sidecar).</summary>
    Bmp,
}

/// <summary>Recognises a format from the first bytes of a file (magic numbers), never from its name.</summary>
public static class RasterFormatSniffer
{
    /// <summary>Bytes needed by <see cref="Detect"/>.</summary>
    public const int HeaderLength = 8;

    /// <summary>Returns the format whose signature starts <paramref name="header"/>, or <see cref="RasterFormat.Unknown"/>.</summary>
    public static RasterFormat Detect(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return RasterFormat.Png;
        }

        if (header.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return RasterFormat.Jpeg;
        }

        if (header.StartsWith("BM"u8) && header.Length >= 6)
        {
            return RasterFormat.Bmp;
        }

        if (header.StartsWith((ReadOnlySpan<byte>)[0x49, 0x49, 0x2A, 0x00])
            || header.StartsWith((ReadOnlySpan<byte>)[0x4D, 0x4D, 0x00, 0x2A])
            || header.StartsWith((ReadOnlySpan<byte>)[0x49, 0x49, 0x2B, 0x00])
            || header.StartsWith((ReadOnlySpan<byte>)[0x4D, 0x4D, 0x00, 0x2B]))
        {
            return RasterFormat.Tiff;
        }

        return RasterFormat.Unknown;
    }

    /// <summary>True for formats that carry no georeferencing or acquisition time and need a sidecar JSON.</summary>
    public static bool NeedsSidecar(RasterFormat format) => format is RasterFormat.Png or RasterFormat.Jpeg or RasterFormat.Bmp;
}
