using ChangeWatch.LocalHost;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Azure.WebJobs.Host.Executors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChangeWatch.Hosting.Tests;

/// <summary>The local host's settings: queue options from host.json, host id, type locator. Builds the host, never starts it.</summary>
public sealed class LocalHostSettingsTests
{
    [Fact]
    public void HostJson_Queues_MaxDequeueCountIsFive()
    {
        Assert.Equal(5, FunctionsBuildOutput.ReadHostJsonQueues().GetProperty("maxDequeueCount").GetInt32());
    }

    [Fact]
    public void LocalHost_QueuesOptions_EqualHostJson()
    {
        var hostJson = FunctionsBuildOutput.ReadHostJsonQueues();
        using var host = BuildLocalHost();

        var options = host.Services.GetRequiredService<IOptions<QueuesOptions>>().Value;

        Assert.Equal(hostJson.GetProperty("batchSize").GetInt32(), options.BatchSize);
        Assert.Equal(hostJson.GetProperty("newBatchThreshold").GetInt32(), options.NewBatchThreshold);
        Assert.Equal(hostJson.GetProperty("maxDequeueCount").GetInt32(), options.MaxDequeueCount);
        Assert.Equal(TimeSpan.Parse(hostJson.GetProperty("visibilityTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture), options.VisibilityTimeout);
    }

    [Fact]
    public void LocalHost_QueuesOptions_PollAtMostAsSlowlyAsAzure()
    {
        var azure = TimeSpan.Parse(FunctionsBuildOutput.ReadHostJsonQueues().GetProperty("maxPollingInterval").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        using var host = BuildLocalHost();

        var options = host.Services.GetRequiredService<IOptions<QueuesOptions>>().Value;

        Assert.Equal(LocalHostBuilder.MaxPollingInterval, options.MaxPollingInterval);
        Assert.True(options.MaxPollingInterval <= azure, $"Local polling interval {options.MaxPollingInterval} is slower than Azure's {azure}.");
    }

    [Fact]
    public async Task LocalHost_NoHostIdSetting_UsesDefaultHostId()
    {
        using var host = BuildLocalHost();

        var id = await host.Services.GetRequiredService<IHostIdProvider>().GetHostIdAsync(TestContext.Current.CancellationToken);

        Assert.Equal(LocalHostBuilder.DefaultHostId, id);
    }

    [Fact]
    public async Task LocalHost_HostIdSetting_UsesConfiguredHostId()
    {
        using var host = BuildLocalHost(new() { [LocalHostBuilder.HostIdSetting] = "changewatch-ci-7" });

        var id = await host.Services.GetRequiredService<IHostIdProvider>().GetHostIdAsync(TestContext.Current.CancellationToken);

        Assert.Equal("changewatch-ci-7", id);
    }

    [Fact]
    public void LocalHost_TypeLocator_ReturnsOnlyTheLocalFunctionClasses()
    {
        using var host = BuildLocalHost();

        var types = host.Services.GetRequiredService<ITypeLocator>().GetTypes();

        Assert.Equal(LocalHostBuilder.FunctionTypes, types);
    }

    private static IHost BuildLocalHost(Dictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
                ["ChangeWatchStorage"] = "UseDevelopmentStorage=true",
            })
            .AddInMemoryCollection(settings ?? [])
            .Build();
        return LocalHostBuilder.Create(configuration).Build();
    }
}
