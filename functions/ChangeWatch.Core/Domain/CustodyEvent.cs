namespace ChangeWatch.Core.Domain;

/// <summary>One step in a scene's chain of custody (Table <c>custody</c>, partition = scene id).</summary>
/// <param name="SceneId">Scene.</param>
/// <param name="Step">What happened: received, hashed, ingested, scored, reported, reviewed.</param>
/// <param name="Actor">Who or what did it (handler name and host, or analyst).</param>
/// <param name="At">When.</param>
/// <param name="Detail">Hashes and facts, short text.</param>
public sealed record CustodyEvent(SceneId SceneId, string Step, string Actor, DateTimeOffset At, string Detail);
