namespace ChangeWatch.Core.Ports;

/// <summary>Conveniences over <see cref="IBlobStore"/>.</summary>
public static class BlobStoreExtensions
{
    /// <summary>
    /// Reads a whole blob into memory, or returns null when it does not exist. Only for small blobs (tiles, masks, report
    /// files): the whole content is held at once.
    /// </summary>
    public static async Task<byte[]?> ReadAllBytesAsync(this IBlobStore blobs, string container, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        var stream = await blobs.OpenReadAsync(container, name, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }
}
