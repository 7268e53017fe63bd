using Microsoft.Extensions.Logging;

namespace ChangeWatch.Functions.Triggers;

/// <summary>Source-generated log messages of the trigger layer (the handlers log the work itself).</summary>
internal static partial class FunctionLog
{
    [LoggerMessage(2001, LogLevel.Information, "{Function} triggered by blob {BlobName} (aoi {Aoi})")]
    public static partial void BlobTriggered(this ILogger logger, string function, string blobName, string aoi);

    [LoggerMessage(2002, LogLevel.Debug, "{Function} triggered by a message of {Length} chars")]
    public static partial void MessageTriggered(this ILogger logger, string function, int length);
}
