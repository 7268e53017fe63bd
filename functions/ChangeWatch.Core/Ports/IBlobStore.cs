namespace ChangeWatch.Core.Ports;

/// <summary>Blob storage as the pipeline needs it. Container names are the logical ones from <see cref="Pipeline.StorageNames"/>.</summary>
public interface IBlobStore
{
    /// <summary>Opens a blob for sequential reading, or returns null when it does not exist.</summary>
    Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken);

    /// <summary>Reads at most <paramref name="count"/> bytes from the start of a blob (a ranged read), or null when it does not exist.</summary>
    Task<byte[]?> ReadPrefixAsync(string container, string name, int count, CancellationToken cancellationToken);

    /// <summary>Size and last-modified time of a blob, or null when it does not exist.</summary>
    Task<BlobInfo?> GetInfoAsync(string container, string name, CancellationToken cancellationToken);

    /// <summary>Writes (or overwrites) a blob from a stream.</summary>
    Task WriteAsync(string container, string name, Stream content, string contentType, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a blob only if no blob of that name exists (an If-None-Match: * condition). Returns false, writing nothing,
    /// when one does: concurrent writers of the same name cannot collide, and the first copy is kept.
    /// </summary>
    Task<bool> TryCreateAsync(string container, string name, Stream content, string contentType, CancellationToken cancellationToken);

    /// <summary>Lists blob names under a prefix (empty prefix: the whole container).</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, CancellationToken cancellationToken);
}

/// <summary>A blob's name, size in bytes and last-modified time.</summary>
public sealed record BlobInfo(string Name, long Length, DateTimeOffset LastModified);
