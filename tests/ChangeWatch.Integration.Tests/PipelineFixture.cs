using ChangeWatch.Cli;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Ports;
using ChangeWatch.Core.Reporting;
using ChangeWatch.LocalHost;
using ChangeWatch.Reporting.Json;
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

    /// <summary>
    /// Uploads <paramref name="image"/> to <paramref name="aoi"/> with a sidecar (acquired at <paramref name="acquiredAt"/>,
    /// 0.5 m, <paramref name="sensor"/>) and waits until its report is out; a timeout names the hosts' log.
    /// </summary>
    public async Task<UploadReceipt> UploadAndWaitAsync(string image, string aoi, string acquiredAt, string sensor = "synthetic RGB")
    {
        var sidecar = image + ".json";
        await File.WriteAllTextAsync(sidecar,
            $$"""{"acquiredAt":"{{acquiredAt}}","provider":"integration test","sensor":"{{sensor}}","groundSampleDistance":0.5}""");
        return await UploadFilesAndWaitAsync(image, aoi, sidecar);
    }

    /// <summary>Uploads <paramref name="image"/> to <paramref name="aoi"/> with the <paramref name="sidecar"/> file and waits until its report is out; a timeout names the hosts' log.</summary>
    public async Task<UploadReceipt> UploadFilesAndWaitAsync(string image, string aoi, string sidecar)
    {
        var receipt = await new Uploader(Storage.Blobs).UploadAsync(image, aoi, sidecar, TestContext.Current.CancellationToken);
        try
        {
            await new PipelineWatcher(Storage.Catalog).WaitAsync(receipt, SceneStatus.Reported, TimeSpan.FromMinutes(4), null, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException ex)
        {
            Log.Flush();
            throw new TimeoutException($"{ex.Message} Host log: {Log.Path}", ex);
        }

        return receipt;
    }

    /// <summary>The JSON report of <paramref name="sceneId"/>, checked against the report schema.</summary>
    public async Task<ReportModel> ReadReportAsync(string aoi, SceneId sceneId)
    {
        var json = await Storage.Blobs.ReadAllBytesAsync(StorageNames.ReportsContainer, $"{aoi}/{sceneId}/{ReportPaths.Json}",
            TestContext.Current.CancellationToken);
        Assert.NotNull(json);
        ReportSchema.AssertValid(json);
        return ReportJson.Deserialize(json)!;
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
