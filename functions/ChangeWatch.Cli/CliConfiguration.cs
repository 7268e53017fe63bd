using ChangeWatch.Core.Pipeline;
using ChangeWatch.LocalHost;
using Microsoft.Extensions.Configuration;

namespace ChangeWatch.Cli;

/// <summary>
/// The CLI's settings: the <c>Values</c> of <c>local.settings.json</c> in the current directory (if present), then
/// environment variables, then explicit overrides. A connection configured in neither form (connection string, or
/// identity settings such as <c>ChangeWatchStorage__accountName</c>) falls back to Azurite on its default ports
/// (<c>UseDevelopmentStorage=true</c>).
/// </summary>
public static class CliConfiguration
{
    /// <summary>Builds the configuration.</summary>
    public static IConfiguration Build(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder()
            .AddLocalSettingsValues(Path.Combine(Directory.GetCurrentDirectory(), LocalHostBuilder.LocalSettingsFileName))
            .AddEnvironmentVariables();
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        var configured = builder.Build();
        var fallbacks = new Dictionary<string, string?>();
        foreach (var connection in new[] { StorageNames.Connection, "AzureWebJobsStorage" })
        {
            if (string.IsNullOrEmpty(configured[connection]) && !configured.GetSection(connection).GetChildren().Any())
            {
                fallbacks[connection] = "UseDevelopmentStorage=true";
            }
        }

        return fallbacks.Count == 0 ? configured : builder.AddInMemoryCollection(fallbacks).Build();
    }
}
