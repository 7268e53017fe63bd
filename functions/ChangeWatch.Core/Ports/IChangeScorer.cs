using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Ports;

/// <summary>Scores a tile pair (baseline "before" and new scene "after", same grid window) for change of interest.</summary>
public interface IChangeScorer
{
    /// <summary>The loaded model's identity and threshold.</summary>
    ModelInfo Model { get; }

    /// <summary>
    /// The flag threshold this scorer applies to tiles of <paramref name="groundSampleDistance"/> metres a pixel (null:
    /// not georeferenced). A model may hold one threshold per resolution; the default is <see cref="ModelInfo.Threshold"/>.
    /// Reports state this one for their scene.
    /// </summary>
    double ThresholdFor(double? groundSampleDistance) => Model.Threshold;

    /// <summary>
    /// Whether tiles of <paramref name="groundSampleDistance"/> metres a pixel take a threshold of their own, computed
    /// from each tile's scores, with <see cref="ThresholdFor"/> as its floor (a pixel model's adaptive threshold where no
    /// resolution expert serves). False by default: <see cref="ThresholdFor"/> is the threshold.
    /// </summary>
    bool AdaptiveThresholdAt(double? groundSampleDistance) => false;

    /// <summary>
    /// Assesses one tile pair. Both rasters cover the same grid window, have the same size and band count;
    /// NaN marks no-data. Thread-safe: called concurrently for different tiles.
    /// </summary>
    TileAssessment Assess(TileRaster before, TileRaster after, CancellationToken cancellationToken);

    /// <summary>
    /// Assesses one tile pair knowing its scenes' statistics (<see cref="SceneRecord.Statistics"/>), so a scorer can
    /// normalise each date by its whole scene rather than by the tile alone. A date whose statistics are null is
    /// normalised per tile. Scorers that do not use scene statistics fall back to
    /// <see cref="Assess(TileRaster, TileRaster, CancellationToken)"/> (the default implementation).
    /// </summary>
    TileAssessment Assess(TileRaster before, TileRaster after, ScenePairStatistics statistics, CancellationToken cancellationToken) =>
        Assess(before, after, cancellationToken);

    /// <summary>
    /// A sampler of the scene pair's raster-level values (<see cref="ScenePairStatistics.Raster"/>) for a pair with these
    /// scene <paramref name="statistics"/>, to be fed about <paramref name="pixels"/> core pixels (it spaces its samples to
    /// stay bounded); null when the scorer has no raster-level values or cannot use the statistics (either date missing):
    /// tiles then use their own. Null by default.
    /// </summary>
    IPairRasterSampler? CreatePairRasterSampler(ScenePairStatistics statistics, long pixels) => null;
}

/// <summary>The scorer's verdict on a tile pair.</summary>
/// <param name="Probability">Calibrated probability of change of interest, 0-1.</param>
/// <param name="Flagged">Probability reached the model threshold and the tile is assessable.</param>
/// <param name="Assessable">False when too much is masked, or too little of the window imaged, to judge.</param>
/// <param name="MaskedFraction">
/// Masked fraction (no data in a date, cloud, cloud shadow) of the pixels an image covers in either date, 0-1: the part
/// of a window past the scenes' edges is not counted (<see cref="TileAssessment.CoveredFraction"/>).
/// </param>
/// <param name="ShiftX">Co-registration shift applied to the after tile, pixels (0 when none was applied).</param>
/// <param name="ShiftY">Co-registration shift applied to the after tile, pixels (0 when none was applied).</param>
/// <param name="ChangeType">Change type label, or "unclassified".</param>
/// <param name="ChangeMask">Per-pixel change mask (tile size, row-major, 1 = change), or null when not flagged.</param>
public sealed record TileAssessment(
    double Probability, bool Flagged, bool Assessable, double MaskedFraction,
    double ShiftX, double ShiftY, string ChangeType, byte[]? ChangeMask)
{
    /// <summary>Objects counted in the tile's core before and after, or null when the scorer does not measure them.</summary>
    public ObjectCounts? Objects { get; init; }

    /// <summary>
    /// Co-registration of the pair (estimated shift, peak, residual, applied or refused), or null when the scorer does not
    /// co-register. <see cref="ShiftX"/> and <see cref="ShiftY"/> hold the shift actually applied (0 when refused).
    /// </summary>
    public CoRegistration? Registration { get; init; }

    /// <summary>
    /// Share of the tile's window an image covers in at least one date, 0-1: below 1 for a tile whose window reaches past
    /// the scenes' edges. 1 by default (scorers that do not tell).
    /// </summary>
    public double CoveredFraction { get; init; } = 1;

    /// <summary>What the scorer masked (no data, clouds, cloud shadow) and haze caveats, or null when it does not detect them.</summary>
    public MaskSummary? Masks { get; init; }

    /// <summary>
    /// True when the tile was flagged by object evidence (vehicles counted arriving between the dates, confirmed by a tile
    /// model) where the change model itself saw no change: its mask is then the vehicles' footprint and its change type
    /// is set by that rule, not by a change-type model.
    /// </summary>
    public bool FlaggedByObjectEvidence { get; init; }
}
