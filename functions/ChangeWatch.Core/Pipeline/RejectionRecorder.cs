using System.Text;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Ports;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// Handles bad input the same way at every stage: a copy in <c>quarantine</c> (the original bytes, never moved or
/// deleted from where they came), a record in Table <c>rejections</c> with the stable code, a log line. Idempotent: the
/// same input rejected twice (or by two stages at once) gives one copy (the first is kept) and one record.
/// </summary>
public sealed class RejectionRecorder(IBlobStore blobs, ICatalog catalog, TimeProvider time, ILogger<RejectionRecorder> logger)
{
    /// <summary>Quarantines upload <c>incoming/{blobName}</c> and records the rejection.</summary>
    public async Task RejectUploadAsync(string stage, string blobName, RejectedInputException reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var source = RejectionKey.UploadSource(blobName);
        var quarantineName = "incoming/" + blobName;
        string? copied = null;
        await using (var original = await blobs.OpenReadAsync(StorageNames.IncomingContainer, blobName, cancellationToken).ConfigureAwait(false))
        {
            if (original is not null)
            {
                await blobs.TryCreateAsync(StorageNames.QuarantineContainer, quarantineName, original, "application/octet-stream", cancellationToken).ConfigureAwait(false);
                copied = quarantineName;
            }
        }

        await RecordAsync(stage, source, reason, copied, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Quarantines a queue message that could not be processed and records the rejection.</summary>
    public async Task RejectMessageAsync(string stage, string queue, string message, RejectedInputException reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var source = $"queue/{queue}/{RejectionKey.For(message ?? string.Empty)}";
        var quarantineName = $"messages/{queue}/{RejectionKey.For(message ?? string.Empty)}.txt";
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(message ?? string.Empty));
        await blobs.TryCreateAsync(StorageNames.QuarantineContainer, quarantineName, content, "text/plain; charset=utf-8", cancellationToken).ConfigureAwait(false);
        await RecordAsync(stage, source, reason, quarantineName, cancellationToken).ConfigureAwait(false);
    }

    private async Task RecordAsync(string stage, string source, RejectedInputException reason, string? quarantined, CancellationToken cancellationToken)
    {
        var rejection = new Rejection(RejectionKey.For(source), stage, source, reason.Code, reason.Message, quarantined, time.GetUtcNow());
        await catalog.AddRejectionAsync(rejection, cancellationToken).ConfigureAwait(false);
        if (quarantined is not null)
        {
            using var record = new MemoryStream(Encoding.UTF8.GetBytes(PipelineJson.Serialize(rejection)));
            await blobs.WriteAsync(StorageNames.QuarantineContainer, quarantined + ".rejection.json", record, "application/json", cancellationToken).ConfigureAwait(false);
        }

        logger.Rejected(source, stage, reason.Code, reason.Message);
    }
}
