namespace ChangeWatch.Core.Domain;

/// <summary>One step in a scene's chain of custody (Table <c>custody</c>, partition = scene id).</summary>
/// <param name="SceneId">Scene.</param>
/// <param name="Step">What happened: received, hashed, ingested, scored, reported, reviewed.</param>
/// <param name="Actor">Who or what did it (handler name and host, or analyst).</param>
/// <param name="At">When.</param>
/// <param name="Detail">Hashes and facts, short text.</param>
public sealed record CustodyEvent(SceneId SceneId, string Step, string Actor, DateTimeOffset At, string Detail)
{
    /// <summary>The pipeline's steps in the order they happen.</summary>
    public static IReadOnlyList<string> Steps => StepOrder;

    private static readonly string[] StepOrder = ["received", "hashed", "ingested", "scored", "reported", "reviewed"];

    /// <summary>Orders events by time, then by pipeline step (events of one clock tick keep their real order).</summary>
    public static IReadOnlyList<CustodyEvent> InOrder(IEnumerable<CustodyEvent> events) =>
        [.. events.OrderBy(e => e.At).ThenBy(e => Array.IndexOf(StepOrder, e.Step) is var i && i < 0 ? int.MaxValue : i).ThenBy(e => e.Step, StringComparer.Ordinal)];
}
