using System.Collections.Concurrent;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Tests.Fakes;

/// <summary>Queues as lists of JSON texts, in send order.</summary>
public sealed class InMemoryQueue : IMessageQueue
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _queues = new(StringComparer.Ordinal);

    public Task SendAsync<T>(string queue, T message, CancellationToken cancellationToken)
    {
        _queues.GetOrAdd(queue, _ => new ConcurrentQueue<string>()).Enqueue(PipelineJson.Serialize(message));
        return Task.CompletedTask;
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
