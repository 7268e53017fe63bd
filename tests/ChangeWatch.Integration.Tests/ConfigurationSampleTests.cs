using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.LocalHost;
using Microsoft.Extensions.Configuration;

namespace ChangeWatch.Integration.Tests;

/// <summary>Keeps local.settings.sample.json and docs/configuration.md in step with the settings the code reads.</summary>
public sealed partial class ConfigurationSampleTests
{
    private static readonly string[] HostSettings = ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage"];

    [Fact]
    public void Sample_ListsEverySettingTheCodeReads()
    {
        var sample = SampleKeys();

        var missing = SettingsTheCodeReads().Where(k => !sample.Contains(k)).ToList();

        Assert.True(missing.Count == 0, "local.settings.sample.json lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void Sample_ListsNothingTheCodeDoesNotRead()
    {
        var read = SettingsTheCodeReads().Concat(HostSettings).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var unknown = SampleKeys().Where(k => !read.Contains(k)).ToList();

        Assert.True(unknown.Count == 0, "local.settings.sample.json has settings no code reads: " + string.Join(", ", unknown));
    }

    [Fact]
    public void ConfigurationDoc_ExplainsEverySampleSetting()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "configuration.md"));

        var undocumented = SampleKeys().Where(k => !doc.Contains($"`{k}`", StringComparison.Ordinal)).ToList();

        Assert.True(undocumented.Count == 0, "docs/configuration.md does not explain: " + string.Join(", ", undocumented));
    }

    [Fact]
    public void Sample_BindsToValidPipelineOptions()
    {
        var configuration = new ConfigurationBuilder()
            .AddLocalSettingsValues(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")).Build();
        var options = configuration.GetSection(PipelineOptions.Section).Get<PipelineOptions>()!;

        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        Assert.True(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), errors, validateAllProperties: true),
            string.Join("; ", errors.Select(e => e.ErrorMessage)));
        Assert.Null(options.FlagThreshold);
        Assert.Equal(256, options.TileSize);
    }

    /// <summary>
    /// Settings the code reads: every <see cref="PipelineOptions"/> property, the storage connection, and every string
    /// literal the product code indexes configuration with (<c>configuration["X"]</c>, <c>Configuration[...]</c>) or names
    /// in a <c>...Setting</c> constant.
    /// </summary>
    private static HashSet<string> SettingsTheCodeReads()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { StorageNames.Connection, "AzureWebJobsStorage" };
        foreach (var property in typeof(PipelineOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            keys.Add($"{PipelineOptions.Section}__{property.Name}");
        }

        keys.Add(LocalHostBuilder.HostIdSetting.Replace(":", "__", StringComparison.Ordinal));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "functions"), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            foreach (Match m in ConfigurationIndexer().Matches(File.ReadAllText(file)))
            {
                var key = m.Groups["key"].Value;
                if (key is not ("Logging" or "Values") && !key.StartsWith("Logging:", StringComparison.Ordinal))
                {
                    keys.Add(key.Replace(":", "__", StringComparison.Ordinal));
                }
            }
        }

        return keys;
    }

    private static List<string> SampleKeys()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        return [.. doc.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)];
    }

    [GeneratedRegex("""[Cc]onfiguration\[\s*"(?<key>[A-Za-z0-9_:]+)"\s*\]""")]
    private static partial Regex ConfigurationIndexer();
}

public sealed class OperationsDocTests
{
    [Fact]
    public void OperationsDoc_ExplainsEveryRejectionCode()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "operations.md"));

        var missing = Core.Domain.RejectionCode.All.Where(code => !doc.Contains($"| `{code}` |", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "docs/operations.md does not explain: " + string.Join(", ", missing));
    }
}
