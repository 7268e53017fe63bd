using System.Text.Json;

namespace ChangeWatch.Core.Domain;

/// <summary>
/// A band-per-file scene (Sentinel-2 style: B02, B03, B04, B08 as separate GeoTIFFs) delivered as a manifest
/// <c>incoming/{aoi}/{scene}.bands.json</c> whose band files lie beside it in <c>incoming/{aoi}/{scene}.bands/</c>. The
/// manifest is a sidecar (the same fields: <c>acquiredAt</c> required, <c>sensor</c>, ...) plus <c>bands</c>, the band
/// file names in band order. Upload the band files first and the manifest last: the manifest starts the ingest, and band
/// files are never ingested on their own. At most 64 KiB.
/// </summary>
/// <param name="Metadata">The sidecar fields.</param>
/// <param name="Bands">Band file names (single path segments), in band order.</param>
public sealed record BandManifest(SceneMetadata Metadata, IReadOnlyList<string> Bands)
{
    /// <summary>Largest accepted manifest.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>File-name ending of a manifest.</summary>
    public const string ManifestSuffix = ".bands.json";

    /// <summary>True when <paramref name="fileName"/> names a band manifest.</summary>
    public static bool IsManifestName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        return fileName.EndsWith(ManifestSuffix, StringComparison.OrdinalIgnoreCase) && fileName.Length > ManifestSuffix.Length;
    }

    /// <summary>
    /// True when <paramref name="blobName"/> (<c>{aoi}/{scene}.bands/{file}</c>) is a band file, read with its manifest
    /// rather than ingested alone.
    /// </summary>
    public static bool IsBandFile(string blobName)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        var segments = blobName.Split('/');
        return segments.Length == 3 && segments[1].EndsWith(".bands", StringComparison.OrdinalIgnoreCase) && segments[1].Length > ".bands".Length;
    }

    /// <summary>The blob name of band file <paramref name="band"/> of the manifest at <paramref name="manifest"/>.</summary>
    public static string BandBlobName(BlobPath manifest, string band)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var scene = manifest.FileName[..^ManifestSuffix.Length];
        return $"{manifest.Aoi}/{scene}.bands/{band}";
    }

    /// <summary>
    /// Parses a manifest: the sidecar fields through <paramref name="parseSidecar"/> and <c>bands</c>, 1 to
    /// <paramref name="maxBands"/> distinct safe file names. Throws <see cref="RejectedInputException"/>
    /// (<see cref="RejectionCode.InvalidSidecar"/>).
    /// </summary>
    public static BandManifest Parse(ReadOnlySpan<byte> json, int maxBands, Func<byte[], SceneMetadata> parseSidecar)
    {
        ArgumentNullException.ThrowIfNull(parseSidecar);
        var bytes = json.ToArray();
        var metadata = parseSidecar(bytes);
        List<string> bands = [];
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (!document.RootElement.TryGetProperty("bands", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw Invalid("it must list the band files in 'bands'.");
            }

            foreach (var item in list.EnumerateArray())
            {
                var name = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                if (!BlobPath.IsSafeFileName(name))
                {
                    throw Invalid("every entry of 'bands' must be a file name (one path segment).");
                }

                bands.Add(name!);
            }
        }
        catch (JsonException ex)
        {
            throw new RejectedInputException(RejectionCode.InvalidSidecar, "The band manifest is not valid JSON: " + ex.Message, ex);
        }

        if (bands.Count == 0 || bands.Count > maxBands)
        {
            throw Invalid($"it lists {bands.Count} band files; 1 to {maxBands} are accepted.");
        }

        if (bands.Distinct(StringComparer.OrdinalIgnoreCase).Count() != bands.Count)
        {
            throw Invalid("it lists a band file twice.");
        }

        return new BandManifest(metadata, bands);
    }

    private static RejectedInputException Invalid(string why) => new(RejectionCode.InvalidSidecar, "The band manifest is not valid: " + why);
}
