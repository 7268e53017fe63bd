namespace ChangeWatch.Core.Domain;

/// <summary>
/// What a tile pair's preparation masked, as fractions of the tile's covered pixels (those with data in at least one date;
/// the rest of the window, past the scenes' edges, is ground no image shows and is not counted: see
/// <see cref="CoveredFraction"/>), a pixel once, under its first reason in the order no data, cloud, cloud shadow,
/// whichever date it is in; and whether either date looked hazy.
/// </summary>
/// <param name="NoDataFraction">Covered pixels without data in one of the dates, 0-1.</param>
/// <param name="CloudFraction">Pixels under a cloud in either date (and not no-data), 0-1.</param>
/// <param name="CloudShadowFraction">Pixels under a cloud's shadow in either date (and neither no-data nor cloud), 0-1.</param>
/// <param name="HazeBefore">The before date looked hazy against the after date (contrast lower, dark level higher); a caveat, not masked.</param>
/// <param name="HazeAfter">The after date looked hazy against the before date; a caveat, not masked.</param>
public sealed record MaskSummary(double NoDataFraction, double CloudFraction, double CloudShadowFraction, bool HazeBefore, bool HazeAfter)
{
    /// <summary>Fraction of the tile's covered pixels excluded from comparison, 0-1.</summary>
    public double MaskedFraction => NoDataFraction + CloudFraction + CloudShadowFraction;

    /// <summary>Fraction of the tile's window covered by an image in at least one date, 0-1 (1 inside the scenes).</summary>
    public double CoveredFraction { get; init; } = 1;
}
