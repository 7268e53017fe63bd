using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Tests.Fakes;

/// <summary>Blob storage in a dictionary keyed by "container/name".</summary>
public sealed class InMemoryBlobStore(TimeProvider? time = null) : IBlobStore
{
    private readonly ConcurrentDictionary<string, (byte[] Content, DateTimeOffset Modified)> _blobs = new(StringComparer.Ordinal);

    public void Put(string container, string name, byte[] content) =>
        _blobs[$"{container}/{name}"] = (content, (time ?? TimeProvider.System).GetUtcNow());

    public byte[]? Get(string container, string name) => _blobs.TryGetValue($"{container}/{name}", out var b) ? b.Content : null;

    public IReadOnlyList<string> Names(string container) =>
        [.. _blobs.Keys.Where(k => k.StartsWith(container + "/", StringComparison.Ordinal)).Select(k => k[(container.Length + 1)..]).Order(StringComparer.Ordinal)];

    public Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken) =>
        Task.FromResult<Stream?>(Get(container, name) is { } b ? new MemoryStream(b, writable: false) : null);

    public Task<byte[]?> ReadPrefixAsync(string container, string name, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Get(container, name) is { } b ? b[..Math.Min(count, b.Length)] : null);

    public Task<BlobInfo?> GetInfoAsync(string container, string name, CancellationToken cancellationToken) =>
        Task.FromResult(_blobs.TryGetValue($"{container}/{name}", out var b) ? new BlobInfo(name, b.Content.Length, b.Modified) : null);

    public async Task WriteAsync(string container, string name, Stream content, string contentType, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        Put(container, name, buffer.ToArray());
    }

    public async Task<bool> TryCreateAsync(string container, string name, Stream content, string contentType, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        return _blobs.TryAdd($"{container}/{name}", (buffer.ToArray(), (time ?? TimeProvider.System).GetUtcNow()));
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var name in Names(container).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            yield return (await GetInfoAsync(container, name, cancellationToken))!;
        }
    }
}
