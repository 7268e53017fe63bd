using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BlobInfo = ChangeWatch.Core.Ports.BlobInfo;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Runtime.Storage;

/// <summary><see cref="IBlobStore"/> on Azure Blob Storage (or Azurite). Containers are created on first use.</summary>
public sealed class AzureBlobStore(StorageClients clients) : IBlobStore
{
    private readonly CreatedOnce<BlobContainerClient> _containers = new(async n =>
    {
        var client = clients.Blobs.GetBlobContainerClient(n);
        await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        return client;
    });

    /// <inheritdoc />
    public async Task<Stream?> OpenReadAsync(string container, string name, CancellationToken cancellationToken)
    {
        var blob = (await ContainerAsync(container).ConfigureAwait(false)).GetBlobClient(name);
        try
        {
            var response = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> ReadPrefixAsync(string container, string name, int count, CancellationToken cancellationToken)
    {
        var blob = (await ContainerAsync(container).ConfigureAwait(false)).GetBlobClient(name);
        try
        {
            var response = await blob.DownloadContentAsync(
                new BlobDownloadOptions { Range = new HttpRange(0, count) }, cancellationToken).ConfigureAwait(false);
            return response.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 416)
        {
            return []; // empty blob: no range can be satisfied
        }
    }

    /// <inheritdoc />
    public async Task<BlobInfo?> GetInfoAsync(string container, string name, CancellationToken cancellationToken)
    {
        var blob = (await ContainerAsync(container).ConfigureAwait(false)).GetBlobClient(name);
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return new BlobInfo(name, properties.Value.ContentLength, properties.Value.LastModified);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task WriteAsync(string container, string name, Stream content, string contentType, CancellationToken cancellationToken)
    {
        var blob = (await ContainerAsync(container).ConfigureAwait(false)).GetBlobClient(name);
        await blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> TryCreateAsync(string container, string name, Stream content, string contentType, CancellationToken cancellationToken)
    {
        var blob = (await ContainerAsync(container).ConfigureAwait(false)).GetBlobClient(name);
        try
        {
            await blob.UploadAsync(content, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = await ContainerAsync(container).ConfigureAwait(false);
        await foreach (var item in client.GetBlobsAsync(BlobTraits.None, BlobStates.None, string.IsNullOrEmpty(prefix) ? null : prefix, cancellationToken)
                           .ConfigureAwait(false))
        {
            yield return new BlobInfo(item.Name, item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.MinValue);
        }
    }

    private Task<BlobContainerClient> ContainerAsync(string name) => _containers.GetAsync(name);
}
