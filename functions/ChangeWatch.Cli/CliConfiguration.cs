using ChangeWatch.Core.Pipeline;
using ChangeWatch.LocalHost;
using Microsoft.Extensions.Configuration;

namespace ChangeWatch.Cli;

/// <summary>
/// The CLI's settings: the <c>Values</c> of <c>local.settings.json</c> in the current directory (if present), then
/// environment variables, then explicit overrides. When no storage connection is configured at all, Azurite on its
/// default ports (<c>UseDevelopmentStorage=true</c>) is assumed for both connections.
/// </summary>
public static class CliConfiguration
{
    /// <summary>Builds the configuration.</summary>
    public static IConfiguration Build(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [StorageNames.Connection] = "UseDevelopmentStorage=true",
                ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            })
            .AddLocalSettingsValues(Path.Combine(Directory.GetCurrentDirectory(), LocalHostBuilder.LocalSettingsFileName))
            .AddEnvironmentVariables();
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }
}
