using System.Text;

namespace ChangeWatch.Core.Domain;

/// <summary>
/// A provider upload's place in the <c>incoming</c> container: <c>{aoi}/{file}</c>. Parsing never trusts the name as a
/// path: the AOI must be a valid <see cref="AoiName"/>, the file a single segment without '..', control characters
/// or backslashes, at most 255 characters.
/// </summary>
public sealed record BlobPath(string Aoi, string FileName)
{
    /// <summary>The blob name inside the container.</summary>
    public string Name => $"{Aoi}/{FileName}";

    /// <summary>The sidecar expected beside an image: <c>{aoi}/{file}.json</c>.</summary>
    public BlobPath Sidecar => this with { FileName = FileName + ".json" };

    /// <summary>
    /// True for sidecar files (<c>.json</c>) and world files (<c>.pgw</c>, <c>.jgw</c>, ..., see <see cref="WorldFile"/>),
    /// which are read with their image rather than ingested alone.
    /// </summary>
    public bool IsSidecar =>
        (FileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !IsBandManifest) || WorldFile.IsWorldFileName(FileName);

    /// <summary>True for a band-per-file manifest (<c>{scene}.bands.json</c>, see <see cref="BandManifest"/>), ingested as one scene.</summary>
    public bool IsBandManifest => BandManifest.IsManifestName(FileName);

    /// <summary>
    /// A key safe for Azure Table partition/row keys and blob names, derived reversibly from <see cref="Name"/>
    /// (hex of its UTF-8 bytes, which avoids '/', '\\', '#', '?' and control characters).
    /// </summary>
    public string Key => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(Name));

    /// <summary>Parses <c>{aoi}/{file}</c>; throws <see cref="RejectedInputException"/> (<see cref="RejectionCode.InvalidName"/>).</summary>
    public static BlobPath Parse(string blobName)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        var slash = blobName.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            throw new RejectedInputException(RejectionCode.InvalidName,
                "Uploads go to incoming/{aoi}/{file}; this name has no AOI folder.");
        }

        return Create(blobName[..slash], blobName[(slash + 1)..]);
    }

    /// <summary>Builds a path from an AOI and a file name, validating both.</summary>
    public static BlobPath Create(string aoi, string fileName)
    {
        AoiName.Require(aoi);
        if (!IsSafeFileName(fileName))
        {
            throw new RejectedInputException(RejectionCode.InvalidName,
                "File names are one path segment of at most 255 printable characters, without '/', '\\' or '..'.");
        }

        return new BlobPath(aoi, fileName);
    }

    /// <summary>True when <paramref name="fileName"/> is a single safe segment.</summary>
    public static bool IsSafeFileName(string? fileName) =>
        !string.IsNullOrEmpty(fileName)
        && fileName.Length <= 255
        && fileName != "." && !fileName.Contains("..", StringComparison.Ordinal)
        && fileName.IndexOfAny(['/', '\\']) < 0
        && !fileName.Any(char.IsControl);

    /// <inheritdoc />
    public override string ToString() => Name;
}
