namespace ChangeWatch.Core.Domain;

/// <summary>The scene statistics of a tile pair's two dates; either may be null (not computed, e.g. a scene ingested before statistics existed).</summary>
/// <param name="Before">Statistics of the baseline scene.</param>
/// <param name="After">Statistics of the new scene.</param>
public sealed record ScenePairStatistics(SceneStatistics? Before, SceneStatistics? After)
{
    /// <summary>No statistics for either date: scorers normalise each tile on its own.</summary>
    public static ScenePairStatistics None { get; } = new(null, null);
}
