namespace ChangeWatch.Core.Messages;

/// <summary>Claim check on <c>scene-ingest</c>: an upload passed the cheap checks and waits to be ingested.</summary>
/// <param name="Version">Message schema version (1).</param>
/// <param name="BlobName">Blob name inside <c>incoming</c>: <c>{aoi}/{file}</c>.</param>
/// <param name="Length">Size in bytes when seen.</param>
public sealed record SceneIngestMessage(int Version, string BlobName, long Length)
{
    /// <summary>Current version.</summary>
    public const int CurrentVersion = 1;
}

/// <summary>Claim check on <c>tile-batches</c>: a batch of tiles of a scene to score against its baseline.</summary>
/// <param name="Version">Message schema version (1).</param>
/// <param name="SceneId">Scene.</param>
/// <param name="Aoi">AOI.</param>
/// <param name="BaselineId">Baseline scene.</param>
/// <param name="BatchIndex">0-based batch index.</param>
/// <param name="BatchCount">Batches of the scene.</param>
/// <param name="Tiles">Tile ids (<c>{row}_{col}</c>).</param>
public sealed record TileBatchMessage(
    int Version, string SceneId, string Aoi, string BaselineId, int BatchIndex, int BatchCount, IReadOnlyList<string> Tiles)
{
    /// <summary>Current version.</summary>
    public const int CurrentVersion = 1;
}

/// <summary>On <c>change-flags</c>: a batch has been scored; the flagged tiles among it (possibly none).</summary>
/// <param name="Version">Message schema version (1).</param>
/// <param name="SceneId">Scene.</param>
/// <param name="Aoi">AOI.</param>
/// <param name="BatchIndex">0-based batch index.</param>
/// <param name="BatchCount">Batches of the scene.</param>
/// <param name="FlaggedTiles">Flagged tile ids.</param>
/// <param name="MaxProbability">Highest probability in the batch.</param>
public sealed record ChangeFlagsMessage(
    int Version, string SceneId, string Aoi, int BatchIndex, int BatchCount, IReadOnlyList<string> FlaggedTiles, double MaxProbability)
{
    /// <summary>Current version.</summary>
    public const int CurrentVersion = 1;
}

/// <summary>
/// On <c>reports-ready</c>: a report is written, or re-rendered after an analyst's review changed its status (the same
/// message shape; consumers take the latest status of a scene, and may see the same message twice).
/// </summary>
/// <param name="Version">Message schema version (1).</param>
/// <param name="SceneId">Scene.</param>
/// <param name="Aoi">AOI.</param>
/// <param name="Kind">"change" or "baseline-registered".</param>
/// <param name="ReportJson">Blob name of report.json in <c>reports</c>.</param>
/// <param name="ReportHtml">Blob name of report.html in <c>reports</c>.</param>
/// <param name="SiteCount">Sites found.</param>
/// <param name="MaxProbability">Highest site probability (0 when none).</param>
/// <param name="Status">Report status ("candidate").</param>
public sealed record ReportReadyMessage(
    int Version, string SceneId, string Aoi, string Kind, string ReportJson, string ReportHtml, int SiteCount, double MaxProbability, string Status)
{
    /// <summary>Current version.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The message announcing <paramref name="report"/>, stored under <c>reports/{aoi}/{sceneId}/</c>.</summary>
    public static ReportReadyMessage For(Reporting.ReportModel report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var folder = $"{report.Aoi}/{report.Scene.SceneId}";
        return new ReportReadyMessage(CurrentVersion, report.Scene.SceneId, report.Aoi, report.Kind,
            $"{folder}/{Reporting.ReportPaths.Json}", $"{folder}/{Reporting.ReportPaths.Html}", report.Sites.Count,
            report.Sites.Count == 0 ? 0 : report.Sites.Max(s => s.Probability), report.Status);
    }
}
