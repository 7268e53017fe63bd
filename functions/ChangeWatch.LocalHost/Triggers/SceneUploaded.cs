using Azure.Storage.Blobs;
using ChangeWatch.Core.Pipeline;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.LocalHost.Triggers;

/// <summary>
/// Local twin of the Functions app's <c>SceneUploaded</c>: a polling blob trigger on <c>incoming/{aoi}/{name}</c>
/// (container scan plus blob receipts, so an upload made while the host was down runs once after start) that hands
/// the upload to <see cref="SceneUploadedHandler"/>. Binds a <see cref="BlobClient"/> so the content is not downloaded.
/// </summary>
public sealed class SceneUploaded(SceneUploadedHandler handler, ILogger<SceneUploaded> logger)
{
    /// <summary>Runs once per new or changed blob; redelivery is safe (the handler is idempotent).</summary>
    [FunctionName(nameof(SceneUploaded))]
    public Task RunAsync(
        [BlobTrigger(StorageNames.IncomingTriggerPath, Connection = StorageNames.Connection)] BlobClient blob,
        string aoi,
        string name,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        logger.BlobTriggered(nameof(SceneUploaded), blob.Name, aoi);
        return handler.HandleAsync(aoi, name, cancellationToken);
    }
}
