namespace ChangeWatch.Core.Reporting;

/// <summary>A scene named in a report, with its acquisition time.</summary>
/// <param name="SceneId">The scene id.</param>
/// <param name="AcquiredAt">Its acquisition time.</param>
public sealed record SceneReference(string SceneId, DateTimeOffset AcquiredAt);
