using Microsoft.Extensions.Logging;

namespace ChangeWatch.Core.Pipeline;

/// <summary>Source-generated, structured log messages of the pipeline handlers.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(1001, LogLevel.Information, "Upload {BlobName} ({Length} bytes) accepted for ingest")]
    public static partial void UploadAccepted(this ILogger logger, string blobName, long length);

    [LoggerMessage(1002, LogLevel.Debug, "Sidecar {BlobName} is read with its image, not ingested alone")]
    public static partial void SidecarSkipped(this ILogger logger, string blobName);

    [LoggerMessage(1003, LogLevel.Warning, "Rejected {Source} at {Stage}: {Code}: {Reason}")]
    public static partial void Rejected(this ILogger logger, string source, string stage, string code, string reason);

    [LoggerMessage(1004, LogLevel.Information, "Upload {BlobName} is scene {SceneId}, already {Status}; nothing to do")]
    public static partial void AlreadyIngested(this ILogger logger, string blobName, string sceneId, string status);

    [LoggerMessage(1005, LogLevel.Information, "Scene {SceneId} ({Aoi}) ingested: {Width}x{Height} px, {TileCount} tiles, baseline {BaselineId}")]
    public static partial void SceneIngested(this ILogger logger, string sceneId, string aoi, int width, int height, int tileCount, string baselineId);

    [LoggerMessage(1006, LogLevel.Information, "Scene {SceneId} batch {BatchIndex}/{BatchCount}: {Scored} tiles scored, {Flagged} flagged")]
    public static partial void BatchScored(this ILogger logger, string sceneId, int batchIndex, int batchCount, int scored, int flagged);

    [LoggerMessage(1007, LogLevel.Information, "Scene {SceneId} has {Arrived} of {BatchCount} batches; report waits")]
    public static partial void ReportWaiting(this ILogger logger, string sceneId, int arrived, int batchCount);

    [LoggerMessage(1008, LogLevel.Information, "Report for scene {SceneId} ({Aoi}) written: {Kind}, {SiteCount} sites")]
    public static partial void ReportWritten(this ILogger logger, string sceneId, string aoi, string kind, int siteCount);

    [LoggerMessage(1009, LogLevel.Information, "Step {Step} of scene {SceneId} is done ({Claimant}); this delivery stops")]
    public static partial void StepDoneElsewhere(this ILogger logger, string step, string sceneId, string claimant);

    [LoggerMessage(1010, LogLevel.Information, "Reconcile: {Count} uploads in incoming had no scene and no rejection and were enqueued again; {Young} younger than {MinAgeSeconds} s were left to the blob trigger")]
    public static partial void Reconciled(this ILogger logger, int count, int young, int minAgeSeconds);

    [LoggerMessage(1011, LogLevel.Information, "Upload {BlobName} duplicates scene {SceneId} (first seen as {FirstBlobName})")]
    public static partial void DuplicateUpload(this ILogger logger, string blobName, string sceneId, string firstBlobName);

    [LoggerMessage(1012, LogLevel.Information, "Scene {SceneId} ({Aoi}) sites tracked: {Continued} seen again, {Started} new, {Merged} tracks merged, {Unflagged} tracks not flagged or not assessable")]
    public static partial void SitesTracked(this ILogger logger, string sceneId, string aoi, int continued, int started, int merged, int unflagged);

    [LoggerMessage(1013, LogLevel.Warning, "Track {TrackId} of {Aoi} changed while scene {SceneId} was updating it; reading it again (attempt {Attempt})")]
    public static partial void TrackConflict(this ILogger logger, string trackId, string aoi, string sceneId, int attempt);

    [LoggerMessage(1014, LogLevel.Warning, "Step {Step} of scene {SceneId} was taken over by {Claimant} after this delivery's lease ran out; this delivery stops without sending")]
    public static partial void StepTakenOver(this ILogger logger, string step, string sceneId, string claimant);

    [LoggerMessage(1015, LogLevel.Warning, "Scene {SceneId} ({Aoi}) was ingested but its tile batches were not all sent (the delivery that ingested it failed or died); sending {BatchCount} batches from its record")]
    public static partial void BatchesResumed(this ILogger logger, string sceneId, string aoi, int batchCount);

    [LoggerMessage(1016, LogLevel.Information, "Scene {SceneId} is already further along than {Status}; its status is never moved backwards, so the write changed nothing")]
    public static partial void StatusNotLowered(this ILogger logger, string sceneId, string status);
}
