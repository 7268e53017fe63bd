using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using ChangeWatch.Core.Pipeline;
using Microsoft.Extensions.Configuration;

namespace ChangeWatch.Runtime.Storage;

/// <summary>
/// Builds the storage clients from the connection setting <see cref="StorageNames.Connection"/> the way the Functions host
/// resolves a binding's <c>Connection</c>: either a connection string (<c>ChangeWatchStorage</c> =
/// <c>UseDevelopmentStorage=true</c> on Azurite), or identity-based settings under the same prefix
/// (<c>ChangeWatchStorage__accountName</c>, or <c>__blobServiceUri</c> / <c>__queueServiceUri</c> / <c>__tableServiceUri</c>,
/// with <c>__credential</c> = <c>managedidentity</c> and optional <c>__clientId</c>). No key or SAS ever appears in logs.
/// Queue messages are Base64-encoded, as the Functions and WebJobs queue triggers expect.
/// </summary>
public sealed class StorageClients
{
    /// <summary>Reads the connection from configuration; throws <see cref="InvalidOperationException"/> naming the setting when it is missing.</summary>
    public StorageClients(IConfiguration configuration, string connectionName = StorageNames.Connection)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var connectionString = configuration[connectionName] ?? configuration.GetConnectionString(connectionName);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            Blobs = new BlobServiceClient(connectionString);
            Queues = new QueueServiceClient(connectionString, queueOptions);
            Tables = new TableServiceClient(connectionString);
            return;
        }

        var section = configuration.GetSection(connectionName);
        var account = section["accountName"];
        var blobUri = Uri(section["blobServiceUri"] ?? section["serviceUri"], account, "blob");
        var queueUri = Uri(section["queueServiceUri"], account, "queue");
        var tableUri = Uri(section["tableServiceUri"], account, "table");
        if (blobUri is null || queueUri is null || tableUri is null)
        {
            throw new InvalidOperationException(
                $"Storage connection '{connectionName}' is not configured: set '{connectionName}' to a connection string " +
                $"(UseDevelopmentStorage=true for Azurite) or '{connectionName}__accountName' for an identity-based connection.");
        }

        var credential = Credential(section);
        Blobs = new BlobServiceClient(blobUri, credential);
        Queues = new QueueServiceClient(queueUri, credential, queueOptions);
        Tables = new TableServiceClient(tableUri, credential);
    }

    /// <summary>Blob service.</summary>
    public BlobServiceClient Blobs { get; }

    /// <summary>Queue service (Base64 messages).</summary>
    public QueueServiceClient Queues { get; }

    /// <summary>Table service.</summary>
    public TableServiceClient Tables { get; }

    private static Uri? Uri(string? explicitUri, string? account, string service) =>
        explicitUri is not null ? new Uri(explicitUri)
        : account is not null ? new Uri($"https://{account}.{service}.core.windows.net")
        : null;

    private static TokenCredential Credential(IConfigurationSection section) =>
        string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(section["clientId"] is { Length: > 0 } clientId
                ? ManagedIdentityId.FromUserAssignedClientId(clientId)
                : ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential();
}
