using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Reporting;

namespace ChangeWatch.Reporting.Json;

/// <summary>
/// The JSON form of a <see cref="ReportModel"/> (<c>report.json</c>), described by <c>docs/report.schema.json</c>:
/// camelCase names, enums as strings, nulls written out, indented, properties in declaration order with
/// <c>schemaVersion</c> first. Pixel windows are written as <c>{x, y, width, height}</c> only. Characters that matter to
/// HTML (<c>&lt; &gt; &amp; ' "</c>) are escaped as <c>\uXXXX</c>; other non-ASCII text is written as is. Object counts
/// are written as <c>{before, after}</c> only.
/// </summary>
public static class ReportJson
{
    /// <summary>The serializer options (read-only).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Serialises <paramref name="report"/> as UTF-8 JSON text, the same bytes for the same model.</summary>
    public static byte[] Serialize(ReportModel report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonSerializer.SerializeToUtf8Bytes(report, Options);
    }

    /// <summary>Reads a report back; throws <see cref="JsonException"/> on malformed input.</summary>
    public static ReportModel? Deserialize(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<ReportModel>(json, Options);

    private static JsonSerializerOptions Create()
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(ShapeContract);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
            TypeInfoResolver = resolver,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly();
        return options;
    }

    private static void ShapeContract(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        if (info.Type == typeof(PixelWindow) || info.Type == typeof(ObjectCounts))
        {
            // Derived values (area, isEmpty, change) are not part of the schema.
            for (var i = info.Properties.Count - 1; i >= 0; i--)
            {
                if (info.Properties[i].Set is null)
                {
                    info.Properties.RemoveAt(i);
                }
            }
        }

        // Declaration order, explicitly: schemaVersion leads.
        for (var i = 0; i < info.Properties.Count; i++)
        {
            var property = info.Properties[i];
            property.Order = property.Name == "schemaVersion" ? -1 : i;
        }
    }
}
