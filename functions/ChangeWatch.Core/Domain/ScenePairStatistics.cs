namespace ChangeWatch.Core.Domain;

/// <summary>The scene statistics of a tile pair's two dates; either may be null (not computed, e.g. a scene ingested before statistics existed).</summary>
/// <param name="Before">Statistics of the baseline scene.</param>
/// <param name="After">Statistics of the new scene.</param>
/// <param name="Raster">
/// The pixel model's raster-level values over the whole scene pair (null: each tile computes its own, as the pipeline
/// does today): with them a tile's pixel features are the whole pair's.
/// </param>
public sealed record ScenePairStatistics(SceneStatistics? Before, SceneStatistics? After, PairRasterValues? Raster = null)
{
    /// <summary>No statistics for either date: scorers normalise each tile on its own.</summary>
    public static ScenePairStatistics None { get; } = new(null, null);
}
