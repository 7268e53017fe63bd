using System.Reflection;
using System.Text.Json;

namespace ChangeWatch.Hosting.Tests;

/// <summary>What the ChangeWatch.Functions build wrote: functions.metadata and host.json, read from its output folder.</summary>
internal static class FunctionsBuildOutput
{
    private const string OutputDirectoryKey = "ChangeWatch.Functions.OutputDirectory";

    public static string OutputDirectory { get; } =
        typeof(FunctionsBuildOutput).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == OutputDirectoryKey).Value
        ?? throw new InvalidOperationException($"Assembly metadata {OutputDirectoryKey} is empty.");

    public static string FunctionsMetadataPath => Path.Combine(OutputDirectory, "functions.metadata");

    public static string HostJsonPath => Path.Combine(OutputDirectory, "host.json");

    /// <summary>Every function in functions.metadata, with its one trigger binding.</summary>
    public static IReadOnlyList<MetadataFunction> ReadFunctions()
    {
        Assert.True(File.Exists(FunctionsMetadataPath), $"functions.metadata not found at {FunctionsMetadataPath}; the Functions build generates it.");
        using var document = JsonDocument.Parse(File.ReadAllText(FunctionsMetadataPath));
        var functions = new List<MetadataFunction>();
        foreach (var function in document.RootElement.EnumerateArray())
        {
            var name = function.GetProperty("name").GetString()!;
            var triggers = function.GetProperty("bindings").EnumerateArray()
                .Where(binding => binding.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal))
                .ToList();
            Assert.True(triggers.Count == 1, $"{name} has {triggers.Count} trigger bindings in functions.metadata, expected 1.");
            var trigger = triggers[0];
            var type = trigger.GetProperty("type").GetString()!;
            var target = type switch
            {
                "blobTrigger" => trigger.GetProperty("path").GetString()!,
                "queueTrigger" => trigger.GetProperty("queueName").GetString()!,
                _ => "?",
            };
            functions.Add(new MetadataFunction(
                new TriggerDescription(name, type, target, trigger.GetProperty("connection").GetString()!),
                function.GetProperty("scriptFile").GetString()!,
                function.GetProperty("entryPoint").GetString()!,
                trigger.TryGetProperty("source", out var source) ? source.GetString() : null));
        }

        return functions;
    }

    /// <summary>The <c>extensions.queues</c> object of host.json.</summary>
    public static JsonElement ReadHostJsonQueues()
    {
        Assert.True(File.Exists(HostJsonPath), $"host.json not found at {HostJsonPath}; the Functions build copies it.");
        using var document = JsonDocument.Parse(File.ReadAllText(HostJsonPath));
        return document.RootElement.GetProperty("extensions").GetProperty("queues").Clone();
    }
}

/// <summary>A function of functions.metadata.</summary>
internal sealed record MetadataFunction(TriggerDescription Trigger, string ScriptFile, string EntryPoint, string? BlobSource)
{
    /// <summary>The class part of <see cref="EntryPoint"/> (<c>Namespace.Class.Method</c>).</summary>
    public string ClassName => EntryPoint[..EntryPoint.LastIndexOf('.')];
}

/// <summary>A function's name and trigger as both hosts must agree on them.</summary>
internal sealed record TriggerDescription(string Function, string Type, string Target, string Connection)
{
    public override string ToString() => $"{Function}: {Type} on '{Target}' via '{Connection}'";
}
