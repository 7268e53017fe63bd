using Azure.Storage.Blobs;
using ChangeWatch.Core.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.Functions.Triggers;

/// <summary>
/// Blob trigger on <c>incoming/{aoi}/{name}</c> (Event Grid source in Azure): hands the upload to
/// <see cref="SceneUploadedHandler"/>, which checks it cheaply and enqueues it on <c>scene-ingest</c>.
/// Binds a <see cref="BlobClient"/> so the content is not downloaded by the trigger.
/// </summary>
public sealed class SceneUploaded(SceneUploadedHandler handler, ILogger<SceneUploaded> logger)
{
    /// <summary>Runs once per upload event; redelivery is safe (the handler is idempotent).</summary>
    [Function(nameof(SceneUploaded))]
    public Task RunAsync(
        [BlobTrigger(StorageNames.IncomingTriggerPath, Source = BlobTriggerSource.EventGrid, Connection = StorageNames.Connection)] BlobClient blob,
        string aoi,
        string name,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        logger.BlobTriggered(nameof(SceneUploaded), blob.Name, aoi);
        return handler.HandleAsync(aoi, name, cancellationToken);
    }
}
