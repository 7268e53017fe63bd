using System.Globalization;
using ChangeWatch.Core.Domain;

namespace ChangeWatch.Core.Reporting;

/// <summary>
/// Caveats a report draws from the tile pairs' preparation (cloud and cloud-shadow masks, haze, co-registration), over
/// the assessable tiles that measured each: tiles not assessable have their own caveat, and a scorer that does not
/// measure something (null fields) gives no caveat about it.
/// </summary>
public static class PreparationCaveats
{
    /// <summary>Residual misregistration, pixels, from which a tile counts as still misregistered after co-registration.</summary>
    public const double ResidualCaveatPixels = 1.0;

    /// <summary>
    /// Builds the caveats, in the order clouds, haze in the baseline, haze in the scene, refused co-registration, residual
    /// misregistration; empty when none applies. Each names how many of the assessable tiles it concerns and how many of
    /// those were flagged.
    /// </summary>
    public static IReadOnlyList<string> Build(IReadOnlyList<TileResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var assessable = results.Where(r => r.Assessable).ToList();
        var caveats = new List<string>();

        var cloudChecked = assessable.Where(r => r.CloudFraction is not null && r.CloudShadowFraction is not null).ToList();
        var clouded = cloudChecked.Where(r => r.CloudFraction + r.CloudShadowFraction > 0).ToList();
        if (clouded.Count > 0)
        {
            var largest = clouded.Max(r => r.CloudFraction!.Value + r.CloudShadowFraction!.Value);
            caveats.Add(Text(
                $"Clouds or cloud shadow were masked in {clouded.Count} of {cloudChecked.Count} assessable tiles (up to {largest * 100:0} % of a tile){FlaggedNote(clouded)}; change under them was not compared, so a site there may be missed or look smaller than it is."));
        }

        AddHaze(caveats, assessable.Where(r => r.HazeBefore is not null).ToList(), r => r.HazeBefore == true, "baseline", "scene");
        AddHaze(caveats, assessable.Where(r => r.HazeAfter is not null).ToList(), r => r.HazeAfter == true, "scene", "baseline");

        var registered = assessable.Where(r => r.RegistrationOutcome is not null).ToList();
        var largeShift = registered.Count(r => r.RegistrationOutcome == CoRegistrationOutcome.RefusedLargeShift);
        var weakPeak = registered.Count(r => r.RegistrationOutcome == CoRegistrationOutcome.RefusedWeakPeak);
        if (largeShift + weakPeak > 0)
        {
            var refused = registered.Where(r => r.RegistrationOutcome is CoRegistrationOutcome.RefusedLargeShift or CoRegistrationOutcome.RefusedWeakPeak).ToList();
            var reasons = new List<string>(2);
            if (largeShift > 0)
            {
                reasons.Add(Text($"{largeShift} with an estimated shift too large to be misregistration"));
            }

            if (weakPeak > 0)
            {
                reasons.Add(Text($"{weakPeak} with a correlation peak too weak to trust"));
            }

            caveats.Add(Text(
                $"Co-registration was refused in {refused.Count} of {registered.Count} assessable tiles ({string.Join(", ", reasons)}){FlaggedNote(refused)}; they were compared unshifted, so misregistration there can read as change."));
        }

        var residualTiles = registered
            .Where(r => r.RegistrationOutcome is CoRegistrationOutcome.Applied or CoRegistrationOutcome.NotNeeded && r.CoRegistrationResidual >= ResidualCaveatPixels)
            .ToList();
        if (residualTiles.Count > 0)
        {
            caveats.Add(Text(
                $"After co-registration up to {residualTiles.Max(r => r.CoRegistrationResidual!.Value):0.0} px of misregistration remained in {residualTiles.Count} of {registered.Count} assessable tiles{FlaggedNote(residualTiles)}; edges of buildings and roads there can read as change."));
        }

        return caveats;
    }

    private static void AddHaze(List<string> caveats, List<TileResult> measured, Func<TileResult, bool> hazy, string date, string other)
    {
        var tiles = measured.Where(hazy).ToList();
        if (tiles.Count > 0)
        {
            caveats.Add(Text(
                $"The {date} looked hazy against the {other} in {tiles.Count} of {measured.Count} assessable tiles{FlaggedNote(tiles)}; haze is not masked and lowers contrast, so faint change there may be missed and haze edges may read as change."));
        }
    }

    private static string FlaggedNote(List<TileResult> tiles)
    {
        var flagged = tiles.Count(t => t.Flagged);
        return flagged == 0 ? ", none of them flagged" : Text($", {flagged} of them flagged");
    }

    /// <summary>
    /// The caveat for tiles flagged by object evidence (<see cref="TileResult.FlaggedByObjectEvidence"/>), or null when
    /// none was: those sites rest on vehicles counted arriving, not on the change model, and their area is the vehicles'.
    /// </summary>
    public static string? ObjectEvidence(IReadOnlyList<TileResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var flagged = results.Count(r => r.Flagged);
        var byEvidence = results.Count(r => r.Flagged && r.FlaggedByObjectEvidence == true);
        return byEvidence == 0 ? null : Text(
            $"{byEvidence} of {flagged} flagged tiles were flagged by object evidence: vehicles counted arriving between the dates (at least the model's minimum in one tile) and a tile model trained on synthetic scenes agreeing, where the change model saw no change. Their change area is the vehicles' footprint, their type is object build-up by that rule, and parked cars that changed between the dates read the same way.");
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
