namespace ChangeWatch.Core.Domain;

/// <summary>A rejected input, as recorded in Table <c>rejections</c>. Nothing is deleted: the input is copied to <see cref="QuarantineBlob"/>.</summary>
/// <param name="Key">Stable key of the rejected thing (the blob path's <see cref="BlobPath.Key"/>, or a message id).</param>
/// <param name="Stage">Pipeline stage that rejected it (e.g. "SceneUploaded", "IngestScene").</param>
/// <param name="Source">What was rejected: <c>incoming/{aoi}/{file}</c> or a queue name.</param>
/// <param name="Code">Stable code from <see cref="RejectionCode"/>.</param>
/// <param name="Message">Explanation for people.</param>
/// <param name="QuarantineBlob">Name of the copy in the <c>quarantine</c> container, or null when there was nothing to copy.</param>
/// <param name="RejectedAt">When.</param>
public sealed record Rejection(
    string Key, string Stage, string Source, string Code, string Message, string? QuarantineBlob, DateTimeOffset RejectedAt);
