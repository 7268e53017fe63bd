using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Ports;

/// <summary>
/// Accumulates a scene pair's raster-level values (<see cref="PairRasterValues"/>) from tile pairs of the two scenes, so
/// that every tile of the pair is scored with the same values, the whole pair's, rather than each with its own
/// (<see cref="ScenePairStatistics.Raster"/>). Made by the scorer (<see cref="IChangeScorer.CreatePairRasterSampler"/>),
/// which knows how it prepares and measures a tile pair; fed at ingest (<see cref="Pipeline.IngestSceneHandler"/>).
/// </summary>
public interface IPairRasterSampler
{
    /// <summary>
    /// Samples a tile pair (baseline <paramref name="before"/> and new scene <paramref name="after"/>, the same grid window
    /// <paramref name="window"/>) inside its core <paramref name="core"/> (grid pixels; cores do not overlap, so no pixel
    /// is sampled twice). The result does not depend on the order of the tiles. Thread-safe.
    /// </summary>
    void Add(TileRaster before, TileRaster after, PixelWindow window, PixelWindow core);

    /// <summary>The values of what was sampled, or null when no pixel held data in both dates.</summary>
    PairRasterValues? Build();
}
