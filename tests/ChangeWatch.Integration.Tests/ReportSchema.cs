using System.Text.Json;
using Json.Schema;

namespace ChangeWatch.Integration.Tests;

/// <summary>Checks report.json against the schema kept in the repository (docs/report.schema.json), not a copy.</summary>
public static class ReportSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "report.schema.json"))));

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    /// <summary>Fails the test, listing the errors, unless <paramref name="json"/> validates.</summary>
    public static void AssertValid(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var results = Schema.Value.Evaluate(document.RootElement, Evaluation);
        Assert.True(results.IsValid, string.Join("\n", (results.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}"))));
    }
}
