using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace ChangeWatch.LocalHost;

/// <summary>Reads the <c>Values</c> of a Functions-style <c>local.settings.json</c> into configuration.</summary>
public static class LocalSettingsConfigurationExtensions
{
    /// <summary>
    /// Adds every string, number or boolean under <c>Values</c> of the file at <paramref name="path"/> as a setting,
    /// with <c>__</c> in a name read as the section separator (as environment variables are). A missing file adds
    /// nothing; a file that is not JSON throws <see cref="JsonException"/>. The file is read once, now.
    /// </summary>
    public static IConfigurationBuilder AddLocalSettingsValues(this IConfigurationBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            return builder;
        }

        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("Values", out var section)
            && section.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in section.EnumerateObject())
            {
                if (property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                {
                    var key = property.Name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
                    values[key] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
                }
            }
        }

        return builder.AddInMemoryCollection(values);
    }
}
