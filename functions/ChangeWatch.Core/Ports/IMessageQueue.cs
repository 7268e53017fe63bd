namespace ChangeWatch.Core.Ports;

/// <summary>Sends pipeline messages (small JSON claim checks) to a named queue.</summary>
public interface IMessageQueue
{
    /// <summary>Serialises <paramref name="message"/> as JSON and enqueues it on <paramref name="queue"/>.</summary>
    Task SendAsync<T>(string queue, T message, CancellationToken cancellationToken);

    /// <summary>Approximate number of messages waiting on a queue (0 when it does not exist).</summary>
    Task<int> GetApproximateCountAsync(string queue, CancellationToken cancellationToken);
}
