using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Messages;
using ChangeWatch.Core.Ports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// First stage, behind the blob trigger on <c>incoming/{aoi}/{name}</c>: cheap checks only (name, size, magic bytes),
/// then a claim check on <c>scene-ingest</c>. Nothing heavy happens here. Sidecars (<c>.json</c>), world files
/// (<c>.pgw</c>, ...) and band files (<c>{scene}.bands/{file}</c>) are skipped: they are read with their image or
/// manifest. A band manifest (<c>{scene}.bands.json</c>, see <see cref="BandManifest"/>) is enqueued without a magic-byte
/// check. Redelivery enqueues the claim check again, which ingest recognises.
/// </summary>
public sealed class SceneUploadedHandler(
    IBlobStore blobs, IMessageQueue queue, RejectionRecorder rejections, IOptions<PipelineOptions> options, ILogger<SceneUploadedHandler> logger)
{
    private const string Stage = "SceneUploaded";

    /// <summary>Checks upload <c>incoming/{aoi}/{name}</c> and enqueues it for ingest, or rejects it.</summary>
    public async Task HandleAsync(string aoi, string name, CancellationToken cancellationToken)
    {
        var blobName = $"{aoi}/{name}";
        if (BandManifest.IsBandFile(blobName))
        {
            logger.SidecarSkipped(blobName); // a band file: read with its manifest
            return;
        }

        try
        {
            var path = BlobPath.Parse(blobName);
            if (path.IsSidecar)
            {
                logger.SidecarSkipped(blobName);
                return;
            }

            var info = await blobs.GetInfoAsync(StorageNames.IncomingContainer, blobName, cancellationToken).ConfigureAwait(false);
            if (info is null)
            {
                return; // deleted by the provider before we looked: nothing to ingest
            }

            CheckSize(info.Length, options.Value.MaxUploadBytes);
            var header = await blobs.ReadPrefixAsync(StorageNames.IncomingContainer, blobName, RasterFormatSniffer.HeaderLength, cancellationToken).ConfigureAwait(false);
            if (header is null)
            {
                return;
            }

            if (!path.IsBandManifest && RasterFormatSniffer.Detect(header) == RasterFormat.Unknown)
            {
                throw new RejectedInputException(RejectionCode.UnsupportedFormat,
                    "The file is not PNG, JPEG, BMP or TIFF/GeoTIFF (checked by its first bytes, not its name).");
            }

            await queue.SendAsync(StorageNames.SceneIngestQueue,
                new SceneIngestMessage(SceneIngestMessage.CurrentVersion, path.Name, info.Length), cancellationToken).ConfigureAwait(false);
            logger.UploadAccepted(blobName, info.Length);
        }
        catch (RejectedInputException ex)
        {
            await rejections.RejectUploadAsync(Stage, blobName, ex, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static void CheckSize(long length, long maxBytes)
    {
        if (length == 0)
        {
            throw new RejectedInputException(RejectionCode.EmptyFile, "The upload is empty (0 bytes).");
        }

        if (length > maxBytes)
        {
            throw new RejectedInputException(RejectionCode.TooLarge,
                $"The upload is {length} bytes; the limit is {maxBytes} bytes (setting ChangeWatch:MaxUploadBytes).");
        }
    }
}
