using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// A tile pair ready for comparison (<see cref="TilePairPreparation"/>): the after tile aligned to the before
/// tile, and what preparation did. Pixels without data in a date are NaN in that date's raster.
/// </summary>
public sealed class PreparedTilePair
{
    internal PreparedTilePair(TileRaster before, TileRaster after, CoRegistration registration, MaskSummary masks, ScenePairStatistics statistics)
    {
        Statistics = statistics;
        Before = before;
        After = after;
        Registration = registration;
        Masks = masks;
    }

    /// <summary>The before tile, with clouds and cloud shadows of that date set to NaN (the caller's raster when none were found).</summary>
    public TileRaster Before { get; }

    /// <summary>
    /// The after tile, resampled onto the before tile when a shift was applied, with clouds and cloud shadows of that
    /// date set to NaN (the caller's raster when neither happened).
    /// </summary>
    public TileRaster After { get; }

    /// <summary>The co-registration estimate and what was done with it.</summary>
    public CoRegistration Registration { get; }

    /// <summary>The scenes' statistics, for normalising each date by its whole scene (<see cref="ScenePairStatistics.None"/> when unknown).</summary>
    public ScenePairStatistics Statistics { get; }

    /// <summary>
    /// Pixels with data in at least one date before preparation (<see cref="DateNormalisation.MarkCovered"/>): the part of
    /// the window an image shows, on which the tile is judged.
    /// </summary>
    public int CoveredPixels { get; internal init; }

    /// <summary>What was masked (as fractions of the covered pixels), and haze caveats.</summary>
    public MaskSummary Masks { get; }

    /// <summary>Shift applied to the after tile, columns (0 unless <see cref="CoRegistrationOutcome.Applied"/>).</summary>
    public double AppliedShiftX => Registration.Outcome == CoRegistrationOutcome.Applied ? TileCoRegistration.WholePixels(Registration.EstimatedShiftX) : 0;

    /// <summary>Shift applied to the after tile, rows (0 unless <see cref="CoRegistrationOutcome.Applied"/>).</summary>
    public double AppliedShiftY => Registration.Outcome == CoRegistrationOutcome.Applied ? TileCoRegistration.WholePixels(Registration.EstimatedShiftY) : 0;
}
