using System.Security.Cryptography;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Cli;

/// <summary>What a provider gets back from an upload: where it went and the scene id its bytes will have.</summary>
/// <param name="BlobName">Name in <c>incoming</c>.</param>
/// <param name="Length">Bytes.</param>
/// <param name="Sha256">SHA-256 of the file.</param>
/// <param name="SceneId">The scene id (first 16 hex characters of the SHA-256).</param>
/// <param name="Sidecar">The sidecar uploaded with it, or null.</param>
public sealed record UploadReceipt(string BlobName, long Length, string Sha256, SceneId SceneId, string? Sidecar);

/// <summary>Uploads a scene file (and its sidecar first, so that ingest always finds it) to <c>incoming/{aoi}/{file}</c>.</summary>
public sealed class Uploader(IBlobStore blobs)
{
    /// <summary>
    /// Uploads <paramref name="file"/> under <paramref name="aoi"/>. The sidecar is <paramref name="sidecar"/> when given,
    /// else <c>{file}.json</c> beside the file when it exists. Names are validated as the pipeline validates them.
    /// </summary>
    public async Task<UploadReceipt> UploadAsync(string file, string aoi, string? sidecar, CancellationToken cancellationToken)
    {
        var path = BlobPath.Create(aoi, Path.GetFileName(file));
        sidecar ??= File.Exists(file + ".json") ? file + ".json" : null;
        string sha256;
        long length;
        await using (var stream = File.OpenRead(file))
        {
            length = stream.Length;
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }

        if (sidecar is not null)
        {
            await using var content = File.OpenRead(sidecar);
            await blobs.WriteAsync(StorageNames.IncomingContainer, path.Sidecar.Name, content, "application/json", cancellationToken).ConfigureAwait(false);
        }

        await using (var content = File.OpenRead(file))
        {
            await blobs.WriteAsync(StorageNames.IncomingContainer, path.Name, content, "application/octet-stream", cancellationToken).ConfigureAwait(false);
        }

        return new UploadReceipt(path.Name, length, sha256, SceneId.FromSha256(sha256), sidecar is null ? null : path.Sidecar.Name);
    }
}
