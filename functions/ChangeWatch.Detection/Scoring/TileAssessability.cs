namespace ChangeWatch.Detection;

/// <summary>
/// Whether a tile pair can be judged, one rule for every scorer: a tile is judged on the pixels an image covers in
/// either date (<see cref="DateNormalisation.MarkCovered"/>), the part of its window inside the scenes. It is assessable
/// when at most the allowed share of those is masked (no data in one date, cloud, cloud shadow) and they make up at
/// least <see cref="MinCoveredFraction"/> of the window. A window reaching past the scenes' edge (the right and bottom
/// tiles of a scene whose size is not a whole number of tiles) is thus judged on what lies inside: its outside part is
/// ground no image shows, neither masked nor unchanged.
/// </summary>
internal static class TileAssessability
{
    /// <summary>
    /// The least share of the window an image must cover for the tile to be judged: 1/64, a 32 × 32 block (1 024 pixels)
    /// of a 256 px tile, enough for the robust statistics of a tile normalised on its own. Every tile of a scene has at
    /// least one core pixel inside it, so only a corner tile whose core holds less than about 16 × 16 scene pixels is
    /// left unjudged.
    /// </summary>
    public const double MinCoveredFraction = 1.0 / 64;

    /// <summary>
    /// Judges a window of <paramref name="pixels"/> pixels of which <paramref name="covered"/> have data in at least one
    /// date and <paramref name="valid"/> in both (after masking): assessable when the masked share of the covered pixels
    /// is at most <paramref name="maxMaskedFraction"/> and the covered pixels are at least <see cref="MinCoveredFraction"/>
    /// of the window.
    /// </summary>
    public static TileCoverage Judge(int pixels, int covered, int valid, double maxMaskedFraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pixels);
        covered = Math.Clamp(covered, 0, pixels);
        valid = Math.Clamp(valid, 0, covered);
        var masked = covered == 0 ? 1.0 : 1.0 - ((double)valid / covered);
        var coveredFraction = (double)covered / pixels;
        return new TileCoverage(masked <= maxMaskedFraction && coveredFraction >= MinCoveredFraction, masked, coveredFraction);
    }
}

/// <summary>A tile pair's <see cref="TileAssessability"/> verdict.</summary>
/// <param name="Assessable">Enough of the window is covered and little enough of that is masked to judge the tile.</param>
/// <param name="MaskedFraction">Share of the covered pixels masked (lacking data in a date, cloud, cloud shadow), 0-1 (1 when none is covered).</param>
/// <param name="CoveredFraction">Share of the window covered by an image in at least one date, 0-1.</param>
internal readonly record struct TileCoverage(bool Assessable, double MaskedFraction, double CoveredFraction);
