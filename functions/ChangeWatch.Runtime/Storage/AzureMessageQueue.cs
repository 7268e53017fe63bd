using Azure;
using Azure.Storage.Queues;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Runtime.Storage;

/// <summary><see cref="IMessageQueue"/> on Azure Queue Storage (or Azurite): JSON text, Base64-encoded. Queues are created on first use.</summary>
public sealed class AzureMessageQueue(StorageClients clients) : IMessageQueue
{
    /// <summary>Largest message body Azure accepts before Base64 (64 KiB encoded).</summary>
    public const int MaxMessageBytes = 48 * 1024;

    private readonly CreatedOnce<QueueClient> _queues = new(async n =>
    {
        var client = clients.Queues.GetQueueClient(n);
        await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        return client;
    });

    /// <inheritdoc />
    public async Task SendAsync<T>(string queue, T message, CancellationToken cancellationToken)
    {
        var json = PipelineJson.Serialize(message);
        if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxMessageBytes)
        {
            throw new InvalidOperationException($"A {typeof(T).Name} of {json.Length} characters is too large for a queue message; messages are claim checks.");
        }

        var client = await QueueAsync(queue).ConfigureAwait(false);
        await client.SendMessageAsync(json, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> GetApproximateCountAsync(string queue, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await clients.Queues.GetQueueClient(queue).GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
            return properties.Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }

    private Task<QueueClient> QueueAsync(string name) => _queues.GetAsync(name);
}
