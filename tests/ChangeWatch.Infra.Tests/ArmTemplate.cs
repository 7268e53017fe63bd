using System.Text.Json;
using System.Text.RegularExpressions;

namespace ChangeWatch.Infra.Tests;

/// <summary>
/// An ARM template as <c>bicep build</c> writes it: resources as an array (language version 1) or as an object keyed by
/// symbolic name (language version 2.0), each Bicep module a <c>Microsoft.Resources/deployments</c> resource with its
/// template inline. Read-only views; no expression is evaluated beyond the simple lookups the tests name.
/// </summary>
internal sealed partial class ArmTemplate(JsonElement root)
{
    public JsonElement Root { get; } = root;

    public IReadOnlyList<JsonElement> Resources =>
        Root.GetProperty("resources") switch
        {
            { ValueKind: JsonValueKind.Array } array => [.. array.EnumerateArray()],
            var byName => [.. byName.EnumerateObject().Select(p => p.Value)],
        };

    public IEnumerable<JsonElement> ResourcesOfType(string type) =>
        Resources.Where(r => string.Equals(r.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase));

    public JsonElement Resource(string type) =>
        Assert.Single(ResourcesOfType(type));

    /// <summary>The declaration of template parameter <paramref name="name"/> (type, defaultValue, minValue, ...).</summary>
    public JsonElement Parameter(string name)
    {
        Assert.True(Root.GetProperty("parameters").TryGetProperty(name, out var parameter), $"template has no parameter '{name}'");
        return parameter;
    }

    /// <summary>The module deployed under deployment name <paramref name="deploymentName"/> (the Bicep module's <c>name:</c>).</summary>
    public ArmModule Module(string deploymentName)
    {
        var deployment = ResourcesOfType("Microsoft.Resources/deployments")
            .Where(d => d.GetProperty("name").GetString() == deploymentName)
            .ToList();
        Assert.True(deployment.Count == 1, $"expected one module deployment named '{deploymentName}', found {deployment.Count}");
        return new ArmModule(deployment[0], this);
    }

    public IEnumerable<ArmModule> Modules =>
        ResourcesOfType("Microsoft.Resources/deployments").Select(d => new ArmModule(d, this));

    /// <summary><paramref name="value"/> itself, or the literal value of the template variable it is exactly (<c>[variables('x')]</c>).</summary>
    public JsonElement ResolveVariable(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && VariableExpression().Match(value.GetString()!) is { Success: true } m
            && Root.TryGetProperty("variables", out var variables) && variables.TryGetProperty(m.Groups["name"].Value, out var variable)
            ? variable
            : value;

    /// <summary>This template and every module template under it, depth first.</summary>
    public IEnumerable<ArmTemplate> SelfAndNested()
    {
        yield return this;
        foreach (var nested in Modules.SelectMany(m => m.Template.SelfAndNested()))
        {
            yield return nested;
        }
    }

    /// <summary>The name of the parameter an expression is exactly (<c>[parameters('x')]</c>, <c>[string(parameters('x'))]</c>), or null.</summary>
    public static string? ParameterReference(string? expression) =>
        expression is not null && ParameterExpression().Match(expression) is { Success: true } m ? m.Groups["name"].Value : null;

    [GeneratedRegex("""^\[variables\('(?<name>\w+)'\)\]$""")]
    private static partial Regex VariableExpression();

    [GeneratedRegex("""^\[(string\()?parameters\('(?<name>\w+)'\)\)?\]$""")]
    private static partial Regex ParameterExpression();
}

/// <summary>A module: a nested deployment with the parameter values its parent passes.</summary>
internal sealed class ArmModule(JsonElement deployment, ArmTemplate parent)
{
    public string Name { get; } = deployment.GetProperty("name").GetString()!;

    public JsonElement Deployment { get; } = deployment;

    public ArmTemplate Template { get; } = new(deployment.GetProperty("properties").GetProperty("template"));

    /// <summary>The value passed for <paramref name="name"/>, or null when the parent passes none (the module default applies).</summary>
    public JsonElement? PassedValue(string name) =>
        Deployment.GetProperty("properties").GetProperty("parameters").TryGetProperty(name, out var p) ? p.GetProperty("value") : null;

    /// <summary>The value passed for <paramref name="name"/>; a parent variable holding a literal is read through.</summary>
    public JsonElement Passed(string name) =>
        PassedValue(name) is { } value ? parent.ResolveVariable(value)
        : throw new Xunit.Sdk.XunitException($"module '{Name}' is not passed parameter '{name}'");

    /// <summary>The literal string array passed for <paramref name="name"/>; empty when none is passed and the module default is empty.</summary>
    public IReadOnlyList<string> PassedStrings(string name)
    {
        var value = PassedValue(name) is { } passed ? parent.ResolveVariable(passed) : Template.Parameter(name).GetProperty("defaultValue");
        Assert.True(value.ValueKind == JsonValueKind.Array, $"module '{Name}' parameter '{name}' is not a literal array: {value}");
        return [.. value.EnumerateArray().Select(e => e.GetString()!)];
    }

    public string PassedString(string name) => Passed(name).GetString()!;

    public bool IsConditional => Deployment.TryGetProperty("condition", out _);
}
