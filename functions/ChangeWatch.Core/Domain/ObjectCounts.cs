namespace ChangeWatch.Core.Domain;

/// <summary>
/// Object evidence for one tile: small compact objects (vehicles, equipment, tents) counted in the tile's core (the part
/// the tile owns on the grid, so adjacent tiles never count an object twice) in the baseline and in the new scene.
/// </summary>
/// <param name="Before">Objects counted in the baseline.</param>
/// <param name="After">Objects counted in the new scene.</param>
public sealed record ObjectCounts(int Before, int After)
{
    /// <summary>Objects gained (positive) or lost (negative) between the dates.</summary>
    public int Change => After - Before;
}
