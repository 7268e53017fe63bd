using System.Text.Json;
using System.Text.Json.Serialization;
using ChangeWatch.Core.Domain;

namespace ChangeWatch.Core.Pipeline;

/// <summary>The JSON conventions of every queue message, table payload and sidecar: camelCase, enums as strings.</summary>
public static class PipelineJson
{
    /// <summary>Shared serializer options (thread-safe, do not mutate).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Serialises to compact JSON text.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>
    /// Parses a message of type <typeparamref name="T"/>; bad JSON, a missing body or a version other than
    /// <paramref name="expectedVersion"/> raise <see cref="RejectedInputException"/> with <see cref="RejectionCode.InvalidMessage"/>.
    /// </summary>
    public static T ParseMessage<T>(string json, int expectedVersion, Func<T, int> version)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(version);
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException ex)
        {
            throw new RejectedInputException(RejectionCode.InvalidMessage, $"The message is not valid {typeof(T).Name} JSON: {ex.Message}", ex);
        }

        if (value is null)
        {
            throw new RejectedInputException(RejectionCode.InvalidMessage, "The message is empty.");
        }

        if (version(value) != expectedVersion)
        {
            throw new RejectedInputException(RejectionCode.InvalidMessage,
                $"{typeof(T).Name} version {version(value)} is not supported (expected {expectedVersion}).");
        }

        return value;
    }

    private static JsonSerializerOptions Create()
    {
        // Nulls are written (not omitted) so that records with nullable constructor parameters read back, and a
        // message that lacks a field is rejected rather than read with a silent default.
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            RespectRequiredConstructorParameters = true,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        options.Converters.Add(new SceneIdJsonConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class SceneIdJsonConverter : JsonConverter<SceneId>
    {
        public override SceneId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            SceneId.Parse(reader.GetString() ?? string.Empty);

        public override void Write(Utf8JsonWriter writer, SceneId value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Value);
    }
}
