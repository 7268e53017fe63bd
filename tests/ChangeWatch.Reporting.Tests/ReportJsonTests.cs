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

    // The schemas of earlier versions kept beside it (docs/report.schema.<version>.json), each read once: a schema's $id
    // may be registered only once per process.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonSchema> KeptSchemas = new(StringComparer.Ordinal);

    private static EvaluationResults ValidateKept(byte[] json, string version)
    {
        var schema = KeptSchemas.GetOrAdd(version, v => JsonSchema.FromText(File.ReadAllText(RepoFiles.Get("docs", $"report.schema.{v}.json"))));
        using var document = JsonDocument.Parse(json);
        return schema.Evaluate(document.RootElement, Evaluation);
    }

    private static string Errors(EvaluationResults results) =>
        string.Join("\n", (results.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")));

    private static byte[] RenderedJson(ReportModel report) =>
        new ReportRenderer().Render(report, Some.NoImagery()).Single(f => f.RelativePath == "report.json").Content.ToArray();

    /// <summary>
    /// The fields each schema version added, oldest first (report level, then per site; 1.3 also gained the type model's
    /// fields within its life). A report of an older version is the current JSON without every later version's fields.
    /// </summary>
    private static readonly (string Version, string[] Report, string[] Site)[] AddedFields =
    [
        ("1.1", ["ingestedAt", "processingSeconds", "quality", "overviewScale"], ["mgrs", "outline", "status", "review"]),
        ("1.2", [], ["objects"]),
        ("1.3", ["typeModelVersion", "typeModelSha256"], ["trackId", "firstSeen", "history", "maxResidual", "cloudMaskedFraction"]),
        ("1.4", ["modelThresholdAdaptive"], []),
        ("1.5", ["objectModelVersion", "objectModelSha256"], []),
    ];

    /// <summary><paramref name="report"/> rendered as a report of schema <paramref name="version"/> would be: stamped with it, without the fields later versions added.</summary>
    private static byte[] AsSchema(string version, ReportModel report)
    {
        var node = JsonNode.Parse(RenderedJson(report))!.AsObject();
        node["schemaVersion"] = version;
        foreach (var (added, reportFields, siteFields) in AddedFields.Where(a => string.CompareOrdinal(a.Version, version) > 0))
        {
            foreach (var name in reportFields)
            {
                node.Remove(name);
            }

            foreach (var site in node["sites"]!.AsArray())
            {
                foreach (var name in siteFields)
                {
                    site!.AsObject().Remove(name);
                }
            }
        }

        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

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
    public void Render_SiteWithObjectCounts_WritesBeforeAfterOnly_AndValidates()
    {
        var report = Some.ChangeReport(null,
            Some.Site("S1", new PixelWindow(10, 20, 30, 40)) with { Objects = new Core.Domain.ObjectCounts(2, 11) },
            Some.Site("S2", new PixelWindow(100, 120, 8, 8)));
        var json = RenderedJson(report);

        var results = Validate(json);
        using var document = JsonDocument.Parse(json);
        var sites = document.RootElement.GetProperty("sites");

        Assert.True(results.IsValid, Errors(results));
        Assert.Equal(["before", "after"], sites[0].GetProperty("objects").EnumerateObject().Select(p => p.Name));
        Assert.Equal(11, sites[0].GetProperty("objects").GetProperty("after").GetInt32());
        Assert.Equal(JsonValueKind.Null, sites[1].GetProperty("objects").ValueKind);
        Assert.Equal(new Core.Domain.ObjectCounts(2, 11), ReportJson.Deserialize(json)!.Sites[0].Objects);
    }

    [Fact]
    public void Render_SiteWithResidualAndCloudMask_WritesThemValidatesAndReadsBack()
    {
        var report = Some.ChangeReport(null,
            Some.Site("S1", new PixelWindow(10, 20, 30, 40)) with { MaxResidual = 1.75, CloudMaskedFraction = 0.0625 },
            Some.Site("S2", new PixelWindow(100, 120, 8, 8)));
        var json = RenderedJson(report);

        var results = Validate(json);
        using var document = JsonDocument.Parse(json);
        var sites = document.RootElement.GetProperty("sites");

        Assert.True(results.IsValid, Errors(results));
        Assert.Equal(1.75, sites[0].GetProperty("maxResidual").GetDouble());
        Assert.Equal(0.0625, sites[0].GetProperty("cloudMaskedFraction").GetDouble());
        Assert.Equal(JsonValueKind.Null, sites[1].GetProperty("maxResidual").ValueKind);
        Assert.Equal(JsonValueKind.Null, sites[1].GetProperty("cloudMaskedFraction").ValueKind);
        var read = ReportJson.Deserialize(json)!;
        Assert.Equal(1.75, read.Sites[0].MaxResidual);
        Assert.Equal(0.0625, read.Sites[0].CloudMaskedFraction);
    }

    [Fact]
    public void Render_ReportWithTypeModel_WritesItsVersionAndSha_AndTheSchemaChecksTheHash()
    {
        var sha = new string('c', 64);
        var report = Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4))) with { TypeModelVersion = "types-v3", TypeModelSha256 = sha };
        var json = RenderedJson(report);

        var results = Validate(json);
        using var document = JsonDocument.Parse(json);

        Assert.True(results.IsValid, Errors(results));
        Assert.Equal("types-v3", document.RootElement.GetProperty("typeModelVersion").GetString());
        Assert.Equal(sha, ReportJson.Deserialize(json)!.TypeModelSha256);
        var badSha = JsonNode.Parse(json)!;
        badSha["typeModelSha256"] = "not-a-hash";
        Assert.False(Validate(Encoding.UTF8.GetBytes(badSha.ToJsonString())).IsValid);
    }

    [Fact]
    public void Schema13_SiteWithoutTheOptionalResidualAndCloudFields_StillValidates_NegativeResidualRejected()
    {
        var node = JsonNode.Parse(RenderedJson(Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4)))))!;
        var site = node["sites"]![0]!.AsObject();
        site.Remove("maxResidual");
        site.Remove("cloudMaskedFraction");
        var without = Validate(Encoding.UTF8.GetBytes(node.ToJsonString()));
        site["maxResidual"] = -0.5;
        var negative = Validate(Encoding.UTF8.GetBytes(node.ToJsonString()));

        Assert.True(without.IsValid, Errors(without));
        Assert.False(negative.IsValid);
    }

    [Fact]
    public void Render_TrackedSiteWithHistory_ValidatesAndReadsBack()
    {
        var site = Some.Tracked(Some.Site("S1", new PixelWindow(10, 20, 30, 40)), note: "merged with 0123456789abcdef-S4");
        var json = RenderedJson(Some.ChangeReport(null, site, Some.Site("S2", new PixelWindow(100, 120, 8, 8))));

        var results = Validate(json);
        var read = ReportJson.Deserialize(json)!;

        Assert.True(results.IsValid, Errors(results));
        Assert.Equal(site.TrackId, read.Sites[0].TrackId);
        Assert.Equal(site.FirstSeen, read.Sites[0].FirstSeen);
        Assert.Equal(site.History, read.Sites[0].History);
        Assert.Null(read.Sites[1].TrackId);
        Assert.Empty(read.Sites[1].History);
    }

    [Fact]
    public void Schema_UnknownHistoryOutcomeOrMalformedTrackId_IsRejected()
    {
        var node = JsonNode.Parse(RenderedJson(Some.ChangeReport(null, Some.Tracked(Some.Site("S1", new PixelWindow(1, 2, 3, 4))))))!;
        node["sites"]![0]!["history"]![1]!["outcome"] = "seen";

        Assert.False(Validate(Encoding.UTF8.GetBytes(node.ToJsonString())).IsValid);
        node["sites"]![0]!["history"]![1]!["outcome"] = "not-flagged";
        Assert.True(Validate(Encoding.UTF8.GetBytes(node.ToJsonString())).IsValid);
        node["sites"]![0]!["trackId"] = "S1";
        Assert.False(Validate(Encoding.UTF8.GetBytes(node.ToJsonString())).IsValid);
    }

    [Fact]
    public void Deserialize_Schema14Report_ReadsWithoutTheCountModel_AndValidatesAgainstTheKeptSchema14()
    {
        // A 1.4 report: the current JSON without the fields 1.5 added.
        var json = AsSchema("1.4", Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4))));
        var old = ValidateKept(json, "1.4");
        var report = ReportJson.Deserialize(json)!;

        Assert.True(old.IsValid, Errors(old));
        Assert.False(Validate(json).IsValid);
        Assert.Null(report.ObjectModelVersion);
    }

    [Fact]
    public void Render_ReportWithCountModel_WritesItsVersionAndSha_AndTheSchemaChecksTheHash()
    {
        var report = Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4))) with { ObjectModelVersion = "objects-v1", ObjectModelSha256 = new string('c', 64) };
        var json = RenderedJson(report);
        var bad = JsonNode.Parse(Encoding.UTF8.GetString(json))!.AsObject();
        bad["objectModelSha256"] = "not-a-hash";

        Assert.True(Validate(json).IsValid, Errors(Validate(json)));
        Assert.Equal("objects-v1", ReportJson.Deserialize(json)!.ObjectModelVersion);
        Assert.False(Validate(Encoding.UTF8.GetBytes(bad.ToJsonString())).IsValid);
    }

    [Fact]
    public void Deserialize_Schema13Report_ReadsWithoutTheAdaptiveFlag_AndValidatesAgainstTheKeptSchema13()
    {
        // A 1.3 report: the current JSON without the fields 1.4 and later versions added.
        var json = AsSchema("1.3", Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4))) with { ModelThresholdAdaptive = true });
        var old = ValidateKept(json, "1.3");
        var report = ReportJson.Deserialize(json)!;

        Assert.True(old.IsValid, Errors(old));
        Assert.False(Validate(json).IsValid);
        Assert.Null(report.ModelThresholdAdaptive);
        Assert.Equal(0.6, report.ModelThreshold);
    }

    [Fact]
    public void Render_AdaptiveThreshold_WritesTheFlagAndReadsItBack()
    {
        var json = RenderedJson(Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4))) with { ModelThresholdAdaptive = true });

        Assert.True(Validate(json).IsValid, Errors(Validate(json)));
        Assert.True(ReportJson.Deserialize(json)!.ModelThresholdAdaptive);
    }

    [Fact]
    public void Deserialize_Schema12Report_ReadsWithoutTrack_AndValidatesAgainstTheKeptSchema12()
    {
        // A 1.2 report: the current JSON without the fields 1.3 and later versions added (track, and the optional residual and cloud mask).
        var json = AsSchema("1.2", Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4))));
        var old = ValidateKept(json, "1.2");
        var report = ReportJson.Deserialize(json)!;

        Assert.True(old.IsValid, Errors(old));
        Assert.False(Validate(json).IsValid);
        Assert.Null(report.Sites[0].TrackId);
        Assert.Empty(report.Sites[0].History);
    }

    [Fact]
    public void Schema_NegativeObjectCount_IsRejected()
    {
        var node = JsonNode.Parse(RenderedJson(Some.ChangeReport(null,
            Some.Site("S1", new PixelWindow(1, 2, 3, 4)) with { Objects = new Core.Domain.ObjectCounts(1, 2) })))!;
        node["sites"]![0]!["objects"]!["before"] = -1;

        Assert.False(Validate(Encoding.UTF8.GetBytes(node.ToJsonString())).IsValid);
    }

    [Fact]
    public void Deserialize_Schema11Report_ReadsWithObjectsNotMeasured_AndValidatesAgainstTheKeptSchema11()
    {
        // A 1.1 report: the current JSON without the fields 1.2 and later versions added.
        var json = AsSchema("1.1", Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4))));
        var old = ValidateKept(json, "1.1");
        var report = ReportJson.Deserialize(json)!;

        Assert.True(old.IsValid, Errors(old));
        Assert.False(Validate(json).IsValid);
        Assert.Equal("1.1", report.SchemaVersion);
        Assert.Null(report.Sites[0].Objects);
    }

    [Fact]
    public void Render_BaselineRegisteredReport_JsonValidatesAgainstTheSchema()
    {
        var results = Validate(RenderedJson(Some.BaselineReport()));

        Assert.True(results.IsValid, Errors(results));
    }

    [Fact]
    public void Render_ReviewedSitesQualityAndTimes_JsonValidatesAgainstTheSchema()
    {
        var site = Some.Site("S1", new PixelWindow(10, 20, 30, 40)) with
        {
            Status = "uncertain",
            Review = new SiteReviewEntry("uncertain", "A. Analyst", DateTimeOffset.UnixEpoch, "needs a second look"),
        };
        var report = Some.ChangeReport(null, site, Some.Site("S2", new PixelWindow(1, 1, 2, 2))) with
        {
            Status = ReportStatus.PartiallyReviewed,
            IngestedAt = DateTimeOffset.UnixEpoch,
            ProcessingSeconds = 7.25,
            Quality = new QualitySummary(1.5, 0.25, 0.1, 0.04),
            OverviewScale = 2,
        };

        var results = Validate(RenderedJson(report));

        Assert.True(results.IsValid, Errors(results));
        Assert.Matches("^31U DQ [0-9]{5} [0-9]{5}$|^[0-9]{2}[A-Z] [A-Z]{2} [0-9]{5} [0-9]{5}$", site.Mgrs);
    }

    [Fact]
    public void Schema_UnknownStatusOrBadMgrs_IsRejected()
    {
        var node = JsonNode.Parse(RenderedJson(Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4)))))!;
        node["sites"]![0]!["mgrs"] = "31U DQ 4825 1194 extra";

        Assert.False(Validate(Encoding.UTF8.GetBytes(node.ToJsonString())).IsValid);
        node["sites"]![0]!["mgrs"] = null;
        node["status"] = "verified";
        Assert.False(Validate(Encoding.UTF8.GetBytes(node.ToJsonString())).IsValid);
    }

    [Fact]
    public void Deserialize_Schema10Report_ReadsWithNewFieldsEmpty_AndValidatesAgainstTheKeptSchema10()
    {
        // A 1.0 report: the current JSON without the fields 1.1 and later versions added.
        var json = AsSchema("1.0", Some.ChangeReport(null, Some.Site("S1", new PixelWindow(1, 2, 3, 4))));
        var old = ValidateKept(json, "1.0");
        var report = ReportJson.Deserialize(json)!;

        Assert.True(old.IsValid, Errors(old));
        Assert.False(Validate(json).IsValid);
        Assert.Equal("1.0", report.SchemaVersion);
        Assert.Equal("candidate", report.Sites[0].Status);
        Assert.Null(report.Sites[0].Mgrs);
        Assert.Null(report.Quality);
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
