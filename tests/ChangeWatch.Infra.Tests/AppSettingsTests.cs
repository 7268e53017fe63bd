using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using ChangeWatch.Core.Pipeline;

namespace ChangeWatch.Infra.Tests;

/// <summary>
/// The Functions app's settings in infra/ against what the code and the Functions host read. The rules:
/// <list type="bullet">
/// <item>Every connection a binding names in functions.metadata (<c>ChangeWatchStorage</c>) and the host's
/// <c>AzureWebJobsStorage</c> is set in identity form only: <c>__blobServiceUri</c>, <c>__queueServiceUri</c>,
/// <c>__tableServiceUri</c> (the code builds all three clients), <c>__credential</c> = <c>managedidentity</c> and
/// <c>__clientId</c> of the app's identity; never the plain name (a connection string), never a key.</item>
/// <item><c>ChangeWatch__X</c> only for a property X of <see cref="PipelineOptions"/>, and only from a parameter whose default
/// is the code's default and whose bounds are the property's [Range]: deployed with default parameters the app behaves
/// as the code's defaults, and Azure refuses a value the app would refuse at start.</item>
/// <item><c>AzureFunctionsJobHost__path</c> only for a path that exists in host.json, from a parameter defaulting to host.json's value.</item>
/// <item>Application Insights' two settings, read by the host. Nothing else: no <c>FUNCTIONS_WORKER_RUNTIME</c> or
/// <c>FUNCTIONS_EXTENSION_VERSION</c> (Flex Consumption takes the runtime from functionAppConfig and refuses them).</item>
/// </list>
/// </summary>
public sealed class AppSettingsTests
{
    private static readonly string[] ServiceUris = ["blobServiceUri", "queueServiceUri", "tableServiceUri"];
    private static readonly string[] ConnectionSuffixes = [.. ServiceUris, "accountName", "credential", "clientId"];
    private static readonly string[] HostSettings = ["APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];

    private static ArmModule FunctionApp => BuildOutput.MainTemplate.Module(InfraNames.FunctionAppModule);

    private static Dictionary<string, string> Settings =>
        FunctionApp.Template.ResourcesOfType("Microsoft.Web/sites/config")
            .Single(r => r.GetProperty("name").GetString()!.Contains("'appsettings'", StringComparison.Ordinal))
            .GetProperty("properties").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.OrdinalIgnoreCase);

    /// <summary>Connections the app uses, with the storage module each must point at.</summary>
    private static Dictionary<string, string> Connections()
    {
        var connections = BuildOutput.Triggers.Select(t => t.Trigger.GetProperty("connection").GetString()!).Distinct()
            .ToDictionary(c => c, c => c == StorageNames.Connection ? InfraNames.ImageryStorageModule : "?");
        connections[InfraNames.HostConnection] = InfraNames.HostStorageModule;
        return connections;
    }

    [Fact]
    public void EveryConnection_IsIdentityBased_OnItsOwnStorageAccount()
    {
        var settings = Settings;

        foreach (var (connection, storageModule) in Connections())
        {
            Assert.False(settings.ContainsKey(connection), $"{connection} is set as a connection string; use the identity form");
            Assert.Equal("managedidentity", settings.GetValueOrDefault($"{connection}__credential"));
            Assert.Equal("[parameters('identityClientId')]", settings.GetValueOrDefault($"{connection}__clientId"));
            foreach (var uri in ServiceUris)
            {
                Assert.True(settings.TryGetValue($"{connection}__{uri}", out var value), $"{connection}__{uri} is not set");
                AssertComesFromStorageOutput(value, storageModule, uri.Replace("ServiceUri", "Endpoint", StringComparison.Ordinal));
            }
        }

        StorageAccessTests.AssertIsIdentityOutput(FunctionApp.Passed("identityClientId"), "clientId");
        StorageAccessTests.AssertIsIdentityOutput(FunctionApp.Passed("identityId"), "id");
    }

    [Fact]
    public void Settings_NameNothingTheAppDoesNotRead()
    {
        var connections = Connections().Keys;
        var pipeline = PipelineProperties().Select(p => $"{PipelineOptions.Section}__{p.Name}");
        var allowed = connections.SelectMany(c => ConnectionSuffixes.Select(s => $"{c}__{s}"))
            .Concat(pipeline).Concat(HostSettings).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var unknown = Settings.Keys
            .Where(k => !allowed.Contains(k) && !k.StartsWith("AzureFunctionsJobHost__", StringComparison.OrdinalIgnoreCase))
            .ToList();

        Assert.True(unknown.Count == 0, "app settings nothing reads: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Settings_HoldNoKeyOrConnectionString()
    {
        string[] secretMarkers = ["listKeys", "AccountKey", "SharedAccessSignature", "sig=", "UseDevelopmentStorage", "DefaultEndpointsProtocol"];

        foreach (var (key, value) in Settings)
        {
            Assert.DoesNotContain(secretMarkers, marker => value.Contains(marker, StringComparison.OrdinalIgnoreCase) || key.Contains(marker, StringComparison.OrdinalIgnoreCase));
        }

        // The one connection string is Application Insights': an identifier, not a key, since the resource accepts
        // Entra ID only (AppSettings' authentication string and DisableLocalAuth, checked in StorageAccessTests).
        Assert.Equal("[parameters('applicationInsightsConnectionString')]", Settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.EndsWith(".outputs.connectionString.value]", FunctionApp.Passed("applicationInsightsConnectionString").GetString(), StringComparison.Ordinal);
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]", Settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Theory]
    [InlineData("FUNCTIONS_WORKER_RUNTIME")]
    [InlineData("FUNCTIONS_EXTENSION_VERSION")]
    [InlineData("WEBSITE_RUN_FROM_PACKAGE")]
    [InlineData("AzureWebJobsStorage")]
    public void Settings_LeaveOutWhatFlexConsumptionRefusesOrSetsItself(string setting)
    {
        Assert.False(Settings.ContainsKey(setting), $"{setting} must not be set on Flex Consumption (or not as a connection string)");
    }

    [Fact]
    public void PipelineSettings_DefaultToTheCodesDefaultsWithinItsRanges()
    {
        var defaults = new PipelineOptions();
        var set = Settings.Where(s => s.Key.StartsWith($"{PipelineOptions.Section}__", StringComparison.OrdinalIgnoreCase)).ToList();

        foreach (var (key, value) in set)
        {
            var property = PipelineProperties().Single(p => string.Equals($"{PipelineOptions.Section}__{p.Name}", key, StringComparison.OrdinalIgnoreCase));
            var codeDefault = Convert.ToString(property.GetValue(defaults), CultureInfo.InvariantCulture);
            var range = property.GetCustomAttribute<RangeAttribute>();
            foreach (var parameter in ParameterChain(value))
            {
                Assert.Equal(codeDefault, parameter.GetProperty("defaultValue").ToString());
                if (range is not null)
                {
                    Assert.Equal(Convert.ToString(range.Minimum, CultureInfo.InvariantCulture), parameter.GetProperty("minValue").ToString());
                    Assert.Equal(Convert.ToString(range.Maximum, CultureInfo.InvariantCulture), parameter.GetProperty("maxValue").ToString());
                }
            }
        }
    }

    [Fact]
    public void HostSettings_OverrideOnlyHostJsonPaths_DefaultingToHostJsonsValues()
    {
        var set = Settings.Where(s => s.Key.StartsWith("AzureFunctionsJobHost__", StringComparison.OrdinalIgnoreCase)).ToList();

        foreach (var (key, value) in set)
        {
            var node = BuildOutput.HostJson;
            foreach (var segment in key.Split("__").Skip(1))
            {
                var match = node.EnumerateObject().Where(p => string.Equals(p.Name, segment, StringComparison.OrdinalIgnoreCase)).ToList();
                Assert.True(match.Count == 1, $"{key}: host.json has no '{segment}'");
                node = match[0].Value;
            }

            foreach (var parameter in ParameterChain(value))
            {
                Assert.Equal(node.ToString(), parameter.GetProperty("defaultValue").ToString());
            }
        }
    }

    /// <summary>
    /// The parameter declarations a setting's value comes from: the function-app module's, then main.bicep's when main
    /// passes one of its own parameters straight through. A setting not set from a parameter fails.
    /// </summary>
    private static List<JsonElement> ParameterChain(string settingValue)
    {
        var moduleParameter = ArmTemplate.ParameterReference(settingValue);
        Assert.True(moduleParameter is not null, $"setting value {settingValue} is not a parameter of the function-app module");
        var chain = new List<JsonElement> { FunctionApp.Template.Parameter(moduleParameter) };
        if (FunctionApp.PassedValue(moduleParameter) is { } passed)
        {
            var mainParameter = ArmTemplate.ParameterReference(passed.GetString());
            Assert.True(mainParameter is not null, $"main.bicep passes {passed} to {moduleParameter}: expected a main.bicep parameter");
            chain.Add(BuildOutput.MainTemplate.Parameter(mainParameter));
        }

        return chain;
    }

    private static IEnumerable<PropertyInfo> PipelineProperties() =>
        typeof(PipelineOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite);

    private static void AssertComesFromStorageOutput(string settingValue, string storageModule, string output)
    {
        // "[parameters('imageryStorage').blobEndpoint]" in the module, filled by main from the storage module's output.
        var parts = settingValue.Trim('[', ']').Split('.');
        Assert.True(parts.Length == 2 && parts[0].StartsWith("parameters('", StringComparison.Ordinal), $"unexpected setting value {settingValue}");
        var parameter = parts[0]["parameters('".Length..^2];
        Assert.Equal(output, parts[1]);
        var passed = FunctionApp.Passed(parameter).GetProperty(output).GetString()!;
        Assert.Contains($"'Microsoft.Resources/deployments', '{storageModule}')", passed, StringComparison.Ordinal);
        Assert.EndsWith($".outputs.{output}.value]", passed, StringComparison.Ordinal);
    }
}
