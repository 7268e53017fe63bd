using ChangeWatch.Core.Ports;
using ChangeWatch.Runtime.Storage;
using Microsoft.Extensions.Configuration;

namespace ChangeWatch.Cli;

/// <summary>The storage adapters the CLI's own commands (upload, status, demo) use, without a host.</summary>
public sealed class StorageSession(IConfiguration configuration)
{
    private readonly StorageClients _clients = new(configuration);

    /// <summary>Blob store.</summary>
    public IBlobStore Blobs => _blobs ??= new AzureBlobStore(_clients);

    /// <summary>Queues.</summary>
    public IMessageQueue Queues => _queues ??= new AzureMessageQueue(_clients);

    /// <summary>Catalog.</summary>
    public ICatalog Catalog => _catalog ??= new TableCatalog(_clients);

    /// <summary>Raw clients, for peeking at queues.</summary>
    public StorageClients Clients => _clients;

    private IBlobStore? _blobs;
    private IMessageQueue? _queues;
    private ICatalog? _catalog;
}
