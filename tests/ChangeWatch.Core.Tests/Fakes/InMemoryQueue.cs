using System.Collections.Concurrent;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Tests.Fakes;

/// <summary>Queues as lists of JSON texts, in send order.</summary>
public sealed class InMemoryQueue : IMessageQueue
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _queues = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs before each send with the queue's name and the message's JSON, once per send, before the message is queued (to
    /// interleave a competing delivery with a handler that is about to send). Cleared by setting it to null.
    /// </summary>
    public Func<string, string, Task>? BeforeSendAsync { get; set; }

    /// <summary>
    /// Runs after each send with the queue's name and the message's JSON, once the message is queued (to interleave other
    /// handlers between a handler's send and its next write). Cleared by setting it to null.
    /// </summary>
    public Func<string, string, Task>? AfterSendAsync { get; set; }

    public async Task SendAsync<T>(string queue, T message, CancellationToken cancellationToken)
    {
        var json = PipelineJson.Serialize(message);
        if (BeforeSendAsync is { } before)
        {
            await before(queue, json);
        }

        _queues.GetOrAdd(queue, _ => new ConcurrentQueue<string>()).Enqueue(json);
        if (AfterSendAsync is { } after)
        {
            await after(queue, json);
        }
    }

    public Task<int> GetApproximateCountAsync(string queue, CancellationToken cancellationToken) =>
        Task.FromResult(_queues.TryGetValue(queue, out var q) ? q.Count : 0);

    public IReadOnlyList<string> Peek(string queue) => _queues.TryGetValue(queue, out var q) ? [.. q] : [];

    public bool TryReceive(string queue, out string message)
    {
        message = string.Empty;
        return _queues.TryGetValue(queue, out var q) && q.TryDequeue(out message!);
    }
}
