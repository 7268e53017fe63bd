using System.Globalization;
using System.Text.Json;
using Microsoft.Azure.WebJobs.Host;

namespace ChangeWatch.LocalHost;

/// <summary>
/// The <c>extensions.queues</c> settings of the Functions app's host.json, embedded in this assembly at build time,
/// so the local host runs the queue triggers with the numbers Azure uses. Every setting must be present.
/// </summary>
internal sealed record HostJsonQueueSettings(
    int BatchSize, int NewBatchThreshold, int MaxDequeueCount, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval)
{
    private const string ResourceName = "ChangeWatch.LocalHost.host.json";

    /// <summary>Reads the embedded host.json.</summary>
    public static HostJsonQueueSettings LoadEmbedded()
    {
        using var stream = typeof(HostJsonQueueSettings).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the local host assembly.");
        return Parse(stream);
    }

    /// <summary>Reads <c>extensions.queues</c> from a host.json document; throws naming the first missing or bad setting.</summary>
    public static HostJsonQueueSettings Parse(Stream hostJson)
    {
        using var document = JsonDocument.Parse(hostJson, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!document.RootElement.TryGetProperty("extensions", out var extensions) || !extensions.TryGetProperty("queues", out var queues))
        {
            throw new InvalidOperationException("host.json has no extensions.queues section.");
        }

        return new HostJsonQueueSettings(
            Int(queues, "batchSize"),
            Int(queues, "newBatchThreshold"),
            Int(queues, "maxDequeueCount"),
            Duration(queues, "visibilityTimeout"),
            Duration(queues, "maxPollingInterval"));
    }

    /// <summary>Copies the settings onto the WebJobs queue options, with the local polling interval instead of Azure's.</summary>
    /// <summary>Configuration section that overrides host.json's queue settings, as the Functions host reads app settings
    /// <c>AzureFunctionsJobHost__extensions__queues__*</c>.</summary>
    public const string OverrideSection = "AzureFunctionsJobHost:extensions:queues";

    /// <summary>
    /// These settings with any of <c>batchSize</c>, <c>newBatchThreshold</c>, <c>maxDequeueCount</c> and
    /// <c>visibilityTimeout</c> replaced by the value under <see cref="OverrideSection"/>, the way the Functions host lets app
    /// settings override host.json. A value that does not parse throws, naming the setting.
    /// </summary>
    public HostJsonQueueSettings WithOverrides(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(OverrideSection);
        return this with
        {
            BatchSize = section["batchSize"] is { } batch ? ParseInt(batch, "batchSize") : BatchSize,
            NewBatchThreshold = section["newBatchThreshold"] is { } threshold ? ParseInt(threshold, "newBatchThreshold") : NewBatchThreshold,
            MaxDequeueCount = section["maxDequeueCount"] is { } dequeue ? ParseInt(dequeue, "maxDequeueCount") : MaxDequeueCount,
            VisibilityTimeout = section["visibilityTimeout"] is { } visibility ? ParseDuration(visibility, "visibilityTimeout") : VisibilityTimeout,
        };
    }

    private static int ParseInt(string text, string name) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"Setting {OverrideSection}:{name} is not an integer: '{text}'.");

    private static TimeSpan ParseDuration(string text, string name) =>
        TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"Setting {OverrideSection}:{name} is not a duration (hh:mm:ss): '{text}'.");

    public void ApplyTo(QueuesOptions options, TimeSpan maxPollingInterval)
    {
        options.BatchSize = BatchSize;
        options.NewBatchThreshold = NewBatchThreshold;
        options.MaxDequeueCount = MaxDequeueCount;
        options.VisibilityTimeout = VisibilityTimeout;
        options.MaxPollingInterval = maxPollingInterval;
    }

    private static JsonElement Required(JsonElement queues, string name) =>
        queues.TryGetProperty(name, out var value)
            ? value
            : throw new InvalidOperationException($"host.json extensions.queues.{name} is missing.");

    private static int Int(JsonElement queues, string name) =>
        Required(queues, name).TryGetInt32(out var value)
            ? value
            : throw new InvalidOperationException($"host.json extensions.queues.{name} is not an integer.");

    private static TimeSpan Duration(JsonElement queues, string name)
    {
        var text = Required(queues, name).GetString();
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"host.json extensions.queues.{name} is not a duration (hh:mm:ss): '{text}'.");
    }
}
