using System.Security.Cryptography;
using ChangeWatch.Core.Domain;

namespace ChangeWatch.Core.Pipeline;

/// <summary>Streams an upload to a local temporary file while hashing it, so that decoding can seek without holding the file in memory.</summary>
internal static class HashingDownload
{
    /// <summary>Copies <paramref name="source"/> into a delete-on-close temporary file and returns it (positioned at 0) with its SHA-256.</summary>
    public static async Task<(FileStream File, string Sha256, long Length)> ToTempFileAsync(Stream source, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), "changewatch-" + Guid.NewGuid().ToString("N") + ".tmp");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            long length = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                length += read;
            }

            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            return (file, Convert.ToHexStringLower(hash.GetHashAndReset()), length);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
