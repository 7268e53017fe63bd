using System.Text.Json;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// Reads the sidecar <c>{file}.json</c> beside an upload. Format (camelCase): <c>acquiredAt</c> (ISO 8601, required),
/// <c>provider</c>, <c>sensor</c>, <c>groundSampleDistance</c> (m), <c>bounds</c> (<c>epsg</c>, <c>minX</c>, <c>minY</c>,
/// <c>maxX</c>, <c>maxY</c>), <c>epsg</c> (the coordinate system of a world file beside the image). At most 64 KiB.
/// </summary>
public sealed class SidecarReader(IBlobStore blobs)
{
    /// <summary>Largest accepted sidecar.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Reads and validates the sidecar of <paramref name="image"/>; null when there is none.</summary>
    public async Task<SceneMetadata?> ReadAsync(BlobPath image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var sidecar = image.Sidecar.Name;
        var info = await blobs.GetInfoAsync(StorageNames.IncomingContainer, sidecar, cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            return null;
        }

        if (info.Length > MaxBytes)
        {
            throw new RejectedInputException(RejectionCode.InvalidSidecar, $"The sidecar is {info.Length} bytes; the limit is {MaxBytes}.");
        }

        var bytes = await blobs.ReadPrefixAsync(StorageNames.IncomingContainer, sidecar, MaxBytes, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Parse(bytes);
    }

    /// <summary>
    /// Reads the first world file found beside <paramref name="image"/> (<see cref="WorldFile.CandidateNames"/>) and returns its
    /// geotransform, or null when there is none. Throws <see cref="RejectedInputException"/>
    /// (<see cref="RejectionCode.InvalidSidecar"/>) for a world file over <see cref="WorldFile.MaxBytes"/> or not valid.
    /// </summary>
    public async Task<Imaging.GeoTransform?> ReadWorldFileAsync(BlobPath image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        foreach (var name in WorldFile.CandidateNames(image.FileName))
        {
            var blobName = image with { FileName = name };
            var info = await blobs.GetInfoAsync(StorageNames.IncomingContainer, blobName.Name, cancellationToken).ConfigureAwait(false);
            if (info is null)
            {
                continue;
            }

            if (info.Length > WorldFile.MaxBytes)
            {
                throw new RejectedInputException(RejectionCode.InvalidSidecar, $"The world file is {info.Length} bytes; the limit is {WorldFile.MaxBytes}.");
            }

            var bytes = await blobs.ReadPrefixAsync(StorageNames.IncomingContainer, blobName.Name, WorldFile.MaxBytes, cancellationToken).ConfigureAwait(false);
            if (bytes is not null)
            {
                return WorldFile.Parse(bytes);
            }
        }

        return null;
    }

    /// <summary>Parses sidecar JSON; throws <see cref="RejectedInputException"/> (<see cref="RejectionCode.InvalidSidecar"/>).</summary>
    public static SceneMetadata Parse(ReadOnlySpan<byte> json)
    {
        SceneMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<SceneMetadata>(json, PipelineJson.Options);
        }
        catch (JsonException ex)
        {
            throw new RejectedInputException(RejectionCode.InvalidSidecar,
                "The sidecar is not valid JSON with an 'acquiredAt' time: " + ex.Message, ex);
        }

        if (metadata is null || metadata.AcquiredAt == default)
        {
            throw new RejectedInputException(RejectionCode.InvalidSidecar, "The sidecar must give 'acquiredAt'.");
        }

        if (metadata.GroundSampleDistance is <= 0 or double.NaN)
        {
            throw new RejectedInputException(RejectionCode.InvalidSidecar, "'groundSampleDistance' must be a positive number of metres.");
        }

        if (metadata.Epsg is <= 0)
        {
            throw new RejectedInputException(RejectionCode.InvalidSidecar, "'epsg' must be a positive EPSG code.");
        }

        if (metadata.Bounds is { } b && (b.MaxX <= b.MinX || b.MaxY <= b.MinY || b.Epsg <= 0))
        {
            throw new RejectedInputException(RejectionCode.InvalidSidecar, "'bounds' needs a positive EPSG code and maxX > minX, maxY > minY.");
        }

        return metadata;
    }
}
