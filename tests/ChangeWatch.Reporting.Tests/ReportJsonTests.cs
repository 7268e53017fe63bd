using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Reporting.Json;
using Json.Schema;

namespace ChangeWatch.Reporting.Tests;

public sealed class ReportJsonTests
{
    // The schema kept in the repository (docs/report.schema.json), not a copy.
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(RepoFiles.Get("docs", "report.schema.json"))));

    private static readonly EvaluationOptions Evaluation = new()
    {
        OutputFormat = OutputFormat.List,
        RequireFormatValidation = true,
    };

    private static EvaluationResults Validate(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        return Schema.Value.Evaluate(document.RootElement, Evaluation);
    }

    private static string Errors(EvaluationResults results) =>
        string.Join("\n", (results.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")));

    private static byte[] RenderedJson(ReportModel report) =>
        new ReportRenderer().Render(report, Some.NoImagery()).Single(f => f.RelativePath == "report.json").Content.ToArray();

    [Fact]
    public void Render_ChangeReportWithSites_JsonValidatesAgainstTheSchema()
    {
        var report = Some.ChangeReport(null,
            Some.Site("S1", new PixelWindow(10, 20, 30, 40)),
            Some.Site("S2", new PixelWindow(100, 120, 8, 8), probability: 0.61, lat: null, lon: null) with { AreaSquareMetres = null });

        var results = Validate(RenderedJson(report));

        Assert.True(results.IsValid, Errors(results));
    }

    [Fact]
    public void Render_BaselineRegisteredReport_JsonValidatesAgainstTheSchema()
    {
        var results = Validate(RenderedJson(Some.BaselineReport()));

        Assert.True(results.IsValid, Errors(results));
    }

    [Fact]
    public void Schema_DocumentWithoutSchemaVersion_IsRejected()
    {
        var node = JsonNode.Parse(RenderedJson(Some.ChangeReport()))!.AsObject();
        node.Remove("schemaVersion");

        Assert.False(Validate(Encoding.UTF8.GetBytes(node.ToJsonString())).IsValid);
    }

    [Fact]
    public void Schema_SiteWithUnknownProperty_IsRejected()
    {
        var node = JsonNode.Parse(RenderedJson(Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4)))))!;
        node["sites"]![0]!["sceneBounds"]!["area"] = 12;

        Assert.False(Validate(Encoding.UTF8.GetBytes(node.ToJsonString())).IsValid);
    }

    [Fact]
    public void Serialize_Report_SchemaVersionFirstCamelCaseAndWindowsWithoutDerivedValues()
    {
        var json = Encoding.UTF8.GetString(ReportJson.Serialize(Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4)))));
        using var document = JsonDocument.Parse(json);

        Assert.Equal("schemaVersion", document.RootElement.EnumerateObject().First().Name);
        Assert.Equal(["x", "y", "width", "height"],
            document.RootElement.GetProperty("sites")[0].GetProperty("sceneBounds").EnumerateObject().Select(p => p.Name));
        Assert.Contains("\n  \"kind\": \"change\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_SameReportTwice_GivesSameBytes()
    {
        var report = Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4)));

        Assert.Equal(ReportJson.Serialize(report), ReportJson.Serialize(report));
    }

    [Fact]
    public void Serialize_ProviderTextWithMarkup_IsEscapedInJsonAndReadsBack()
    {
        var report = Some.ChangeReport(Some.Scene(sensor: "<script>alert(\"x\")</script> Ω"));

        var json = ReportJson.Serialize(report);

        Assert.DoesNotContain("<script>", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.Contains("Ω", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.Equal(report.Scene.Sensor, ReportJson.Deserialize(json)!.Scene.Sensor);
    }
}
