using ChangeWatch.LocalHost.Triggers;
using ChangeWatch.Runtime;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.LocalHost;

/// <summary>
/// Builds the local host: the four ChangeWatch functions (<see cref="FunctionTypes"/>) on the Azure WebJobs SDK with
/// the storage blob and queue extensions, the same trigger engine the Functions host runs the Azure app on.
/// </summary>
/// <remarks>
/// <para>Settings read from configuration: <c>AzureWebJobsStorage</c> (the host's own storage: blob receipts, locks)
/// and <c>ChangeWatchStorage</c> (the pipeline's account), each a connection string such as
/// <c>UseDevelopmentStorage=true</c> for Azurite (run Azurite with <c>--skipApiVersionCheck</c>), or, for an identity
/// connection, a section with <c>serviceUri</c>/<c>blobServiceUri</c>/<c>queueServiceUri</c>;
/// <see cref="HostIdSetting"/> (default <see cref="DefaultHostId"/>); everything <c>AddChangeWatch</c> binds; and
/// <c>Logging</c>.</para>
/// <para>Queue triggers use the batch size, new-batch threshold, max dequeue count and visibility timeout of the
/// Functions app's host.json (embedded at build time), overridable like in Azure by settings
/// <c>AzureFunctionsJobHost__extensions__queues__*</c>, and poll at most every <see cref="MaxPollingInterval"/>.
/// Blob triggers poll (container scan plus receipts in <c>AzureWebJobsStorage</c>). Hosts that share a host id and a
/// storage account share receipts and locks, so two local processes process each upload once.</para>
/// <para>Once the host has started, <see cref="Core.Pipeline.IncomingReconciler"/> runs, then every
/// <c>ChangeWatch:ReconcileIntervalSeconds</c> (it repairs uploads the polling blob trigger missed).</para>
/// </remarks>
public static class LocalHostBuilder
{
    /// <summary>Host id used when <see cref="HostIdSetting"/> is not set.</summary>
    public const string DefaultHostId = "changewatch-local";

    /// <summary>
    /// Configuration key of the WebJobs host id (environment variable <c>LocalHost__HostId</c>): lower-case letters,
    /// digits and dashes, at most 32 characters. Hosts with the same id on the same storage account share blob receipts
    /// and singleton locks.
    /// </summary>
    public const string HostIdSetting = "LocalHost:HostId";

    /// <summary>File in the current directory whose <c>Values</c> <see cref="Create(string[])"/> reads, if it exists.</summary>
    public const string LocalSettingsFileName = "local.settings.json";

    /// <summary>
    /// Longest wait between polls of an empty queue. Shorter than the Functions app's (host.json
    /// <c>maxPollingInterval</c>), because locally a poll costs nothing and quick hand-offs make runs short.
    /// </summary>
    public static TimeSpan MaxPollingInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>The classes whose functions the host runs; no other type is indexed, whatever the entry assembly.</summary>
    public static IReadOnlyList<Type> FunctionTypes { get; } =
        [typeof(SceneUploaded), typeof(IngestScene), typeof(ScoreTiles), typeof(BuildReport)];

    /// <summary>
    /// Creates a host builder configured from, in increasing precedence, the <c>Values</c> of
    /// <see cref="LocalSettingsFileName"/> in the current directory (if present), environment variables, and
    /// <paramref name="args"/> (<c>--Key=value</c>).
    /// </summary>
    public static IHostBuilder Create(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var configuration = new ConfigurationBuilder()
            .AddLocalSettingsValues(Path.Combine(Directory.GetCurrentDirectory(), LocalSettingsFileName))
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        return Create(configuration);
    }

    /// <summary>Creates a host builder that reads exactly <paramref name="configuration"/>.</summary>
    public static IHostBuilder Create(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var queueSettings = HostJsonQueueSettings.LoadEmbedded().WithOverrides(configuration);

        return new HostBuilder()
            .ConfigureAppConfiguration(builder => builder.AddConfiguration(configuration))
            .ConfigureLogging((context, logging) =>
            {
                // Defaults first, so the "Logging" section can override them. The Azure SDK logs every 404 as a
                // warning, and the triggers poll queues and containers that may not exist yet: errors only.
                logging.SetMinimumLevel(LogLevel.Information);
                logging.AddFilter("Azure.Core", LogLevel.Error);
                logging.AddFilter("Azure.Storage", LogLevel.Error);
                logging.AddConfiguration(context.Configuration.GetSection("Logging"));
                logging.AddSimpleConsole(console =>
                {
                    console.SingleLine = true;
                    console.TimestampFormat = "HH:mm:ss.fff ";
                });
            })
            .ConfigureWebJobs((context, webJobs) =>
            {
                webJobs.UseHostId(context.Configuration[HostIdSetting] is { Length: > 0 } id ? id : DefaultHostId);
                webJobs.AddAzureStorageCoreServices();
                webJobs.AddAzureStorageBlobs();
                webJobs.AddAzureStorageQueues(queues => queueSettings.ApplyTo(queues, MaxPollingInterval));
            })
            .ConfigureServices((context, services) =>
            {
                services.AddSingleton<ITypeLocator, LocalFunctionTypeLocator>();
                services.AddChangeWatch(context.Configuration);
                services.AddHostedService<IncomingReconcileSchedule>();
            });
    }
}
