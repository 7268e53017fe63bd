namespace ChangeWatch.Core.Domain;

/// <summary>
/// Per-band robust statistics of a whole scene on its AOI grid, computed at ingest (<see cref="Imaging.SceneStatisticsSampler"/>)
/// from a regular lattice of pixels, so scorers can normalise each tile by its scene's statistics instead of its own.
/// </summary>
/// <param name="Bands">One entry per band, in band order.</param>
/// <param name="LatticeStep">Distance between sampled pixels along rows and columns, grid pixels.</param>
/// <param name="SampleCount">Pixels sampled (each with data in every band).</param>
public sealed record SceneStatistics(IReadOnlyList<BandStatistics> Bands, int LatticeStep, int SampleCount);
