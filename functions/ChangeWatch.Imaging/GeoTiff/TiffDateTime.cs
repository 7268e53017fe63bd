using System.Globalization;
using ChangeWatch.Core.Domain;

namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>Reads the TIFF DateTime tag (306), which many providers set to the acquisition or processing time.</summary>
public static class TiffDateTime
{
    /// <summary>The TIFF format of tag 306: "YYYY:MM:DD HH:MM:SS".</summary>
    public const string Format = "yyyy:MM:dd HH:mm:ss";

    /// <summary>
    /// The DateTime tag of the first image of the TIFF in <paramref name="seekableStream"/>, read as UTC (the tag carries
    /// no zone); null when the tag is absent or not in the TIFF format. Reads only the header and first directory and
    /// leaves the stream position undefined. Throws <see cref="RejectedInputException"/> when the file is not a
    /// well-formed TIFF.
    /// </summary>
    public static DateTimeOffset? Read(Stream seekableStream)
    {
        ArgumentNullException.ThrowIfNull(seekableStream);
        var text = TiffDirectory.ReadFirst(seekableStream).GetAscii(TiffTags.DateTime);
        return Parse(text);
    }

    /// <summary>Parses "YYYY:MM:DD HH:MM:SS" as UTC; null for null or malformed text.</summary>
    public static DateTimeOffset? Parse(string? text) =>
        text is not null && DateTime.TryParseExact(text.Trim(), Format, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? new DateTimeOffset(value, TimeSpan.Zero)
            : null;

    /// <summary>Formats a time as the tag's text, in UTC.</summary>
    public static string ToTagText(DateTimeOffset value) =>
        value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
}
