using System.Globalization;
using System.Text;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Domain;

/// <summary>
/// ESRI world files beside an image (<c>scene.pgw</c> for <c>scene.png</c>, <c>.jgw</c>, <c>.bpw</c>, <c>.tfw</c>, the
/// long forms <c>.pngw</c>, <c>.jpgw</c>, ... and <c>.wld</c>): six numbers, one a line, A (pixel width), D (row
/// rotation), B (column rotation), E (pixel height, negative for north-up), C and F (map coordinates of the
/// <em>centre</em> of the top-left pixel). They carry no coordinate system: the sidecar's <c>epsg</c> gives it.
/// </summary>
public static class WorldFile
{
    /// <summary>Largest accepted world file.</summary>
    public const int MaxBytes = 4096;

    private static readonly string[] Extensions =
        [".pgw", ".jgw", ".bpw", ".tfw", ".pngw", ".jpgw", ".jpegw", ".bmpw", ".tifw", ".tiffw", ".wld"];

    /// <summary>True for file names with a world-file extension.</summary>
    public static bool IsWorldFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        return Extensions.Any(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The world-file names looked for beside <paramref name="imageFileName"/>, most usual first: the short form (first and
    /// last letter of the extension + w), the long form (extension + w), then <c>.wld</c>.
    /// </summary>
    public static IReadOnlyList<string> CandidateNames(string imageFileName)
    {
        ArgumentNullException.ThrowIfNull(imageFileName);
        var dot = imageFileName.LastIndexOf('.');
        if (dot <= 0 || dot == imageFileName.Length - 1)
        {
            return [imageFileName + ".wld"];
        }

        var stem = imageFileName[..dot];
        var ext = imageFileName[(dot + 1)..];
        return [$"{stem}.{ext[0]}{ext[^1]}w", $"{stem}.{ext}w", $"{stem}.wld"];
    }

    /// <summary>
    /// Parses a world file into the geotransform of the pixel <em>corners</em> (GDAL's convention, half a pixel up and left
    /// of the centre the file gives). Throws <see cref="RejectedInputException"/> (<see cref="RejectionCode.InvalidSidecar"/>)
    /// unless the text holds exactly six finite numbers with non-zero pixel width and height.
    /// </summary>
    public static GeoTransform Parse(ReadOnlySpan<byte> text)
    {
        var values = new List<double>(6);
        foreach (var token in Encoding.UTF8.GetString(text).Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw Invalid($"'{(token.Length > 40 ? token[..40] : token)}' is not a number.");
            }

            values.Add(value);
        }

        if (values.Count != 6)
        {
            throw Invalid($"it holds {values.Count} numbers; a world file holds six.");
        }

        var (a, d, b, e, c, f) = (values[0], values[1], values[2], values[3], values[4], values[5]);
        if (a == 0 || e == 0)
        {
            throw Invalid("the pixel width and height must not be zero.");
        }

        return new GeoTransform(c - (a / 2) - (b / 2), a, b, f - (d / 2) - (e / 2), d, e);
    }

    private static RejectedInputException Invalid(string why) => new(RejectionCode.InvalidSidecar, "The world file is not valid: " + why);
}
