using ChangeWatch.Cli;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.LocalHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.Integration.Tests;

/// <summary>
/// One real Azurite (in memory, private ports, installed from package.json if needed) and two local hosts on it with the
/// same host id, competing for every message as scaled-out instances do, shared by the tests of
/// <see cref="PipelineCollection"/>: every "exactly one report" assertion is made with two consumers. All are stopped
/// when the tests end.
/// </summary>
public sealed class PipelineFixture : IAsyncLifetime
{
    private AzuriteEmulator? _azurite;
    private readonly List<IHost> _hosts = [];

    public IConfiguration Configuration { get; private set; } = new ConfigurationBuilder().Build();

    public StorageSession Storage { get; private set; } = null!;

    /// <summary>The hosts' log (Information and above), flushed on demand and at the end.</summary>
    public FileLoggerProvider Log { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _azurite = await AzuriteEmulator.StartAsync(RepositoryPaths.Root, TimeSpan.FromSeconds(120), null, CancellationToken.None);
        Configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [StorageNames.Connection] = _azurite.ConnectionString,
            ["AzureWebJobsStorage"] = _azurite.ConnectionString,
            [LocalHostBuilder.HostIdSetting] = "changewatch-tests",
            ["Logging:LogLevel:Default"] = "Warning",
            // Retry failed messages at once (host.json waits 30 s), so a poison message reaches its poison queue in seconds.
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00",
            // Repair uploads the polling blob trigger misses (a blob written in the same second as one its scan already saw)
            // within the tests' waits: a reconcile every 10 s of uploads at least 20 s old.
            [$"{PipelineOptions.Section}:{nameof(PipelineOptions.ReconcileMinAgeSeconds)}"] = "20",
            [$"{PipelineOptions.Section}:{nameof(PipelineOptions.ReconcileIntervalSeconds)}"] = "10",
        }).Build();
        Storage = new StorageSession(Configuration);
        Log = new FileLoggerProvider(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"changewatch-it-{Environment.ProcessId}.log"));
        for (var i = 0; i < 2; i++)
        {
            var host = LocalHostBuilder.Create(Configuration)
                .ConfigureLogging(logging => logging.AddProvider(Log).AddFilter<FileLoggerProvider>(null, LogLevel.Information).AddFilter<FileLoggerProvider>("Azure", LogLevel.Error))
                .Build();
            _hosts.Add(host);
            await host.StartAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
            host.Dispose();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "pipeline on Azurite";
}
