using Microsoft.Extensions.Configuration;
using System.Text;
using ChangeWatch.LocalHost;

namespace ChangeWatch.Hosting.Tests;

public sealed class HostJsonQueueSettingsTests
{
    [Fact]
    public void Parse_CompleteQueuesSection_ReadsEverySetting()
    {
        var settings = HostJsonQueueSettings.Parse(Json("""
            { "version": "2.0", "extensions": { "queues": {
                "batchSize": 8, "newBatchThreshold": 4, "maxDequeueCount": 5,
                "visibilityTimeout": "00:00:30", "maxPollingInterval": "00:00:02" } } }
            """));

        Assert.Equal(new HostJsonQueueSettings(8, 4, 5, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)), settings);
    }

    [Fact]
    public void Parse_MissingSetting_ThrowsNamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => HostJsonQueueSettings.Parse(Json("""
            { "extensions": { "queues": {
                "batchSize": 8, "newBatchThreshold": 4,
                "visibilityTimeout": "00:00:30", "maxPollingInterval": "00:00:02" } } }
            """)));

        Assert.Contains("extensions.queues.maxDequeueCount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoQueuesSection_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => HostJsonQueueSettings.Parse(Json("""{ "version": "2.0" }""")));
    }

    [Fact]
    public void LoadEmbedded_BuiltAssembly_EqualsTheFunctionsHostJson()
    {
        using var hostJson = File.OpenRead(FunctionsBuildOutput.HostJsonPath);

        Assert.Equal(HostJsonQueueSettings.Parse(hostJson), HostJsonQueueSettings.LoadEmbedded());
    }

    private static MemoryStream Json(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void WithOverrides_FunctionsHostStyleSettings_ReplaceHostJsonValues()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:02",
            ["AzureFunctionsJobHost:extensions:queues:batchSize"] = "3",
        }).Build();

        var settings = HostJsonQueueSettings.LoadEmbedded().WithOverrides(configuration);

        Assert.Equal(TimeSpan.FromSeconds(2), settings.VisibilityTimeout);
        Assert.Equal(3, settings.BatchSize);
        Assert.Equal(HostJsonQueueSettings.LoadEmbedded().MaxDequeueCount, settings.MaxDequeueCount);
    }

    [Fact]
    public void WithOverrides_BadValue_ThrowsNamingTheSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "five",
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => HostJsonQueueSettings.LoadEmbedded().WithOverrides(configuration));

        Assert.Contains("maxDequeueCount", error.Message, StringComparison.Ordinal);
    }
}
