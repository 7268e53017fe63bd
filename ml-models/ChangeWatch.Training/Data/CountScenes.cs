using ChangeWatch.Synthetic;

namespace ChangeWatch.Training.Data;

/// <summary>
/// Build-up scenes for measuring object counts: 512 × 512 px (at <see cref="SyntheticTiling.GroundSampleDistance"/>),
/// landscape from the seed, a group of 8-40 vehicles arriving (park, convoy or dispersed), static vehicles (3-12) on both
/// dates in half of them, no or mild nuisances (NIR in 40 %). Scene <c>i</c> of a set is a pure function of (set seed, i,
/// GSD); another GSD draws the same landscape in pixels with vehicles at that GSD's physical size.
/// </summary>
internal static class CountScenes
{
    public const int Size = 512;

    public static SyntheticPair BuildUp(ulong setSeed, int index, double groundSampleDistance = 1.0)
    {
        var rng = new ScenarioRandom(ScenarioRandom.Mix(setSeed, (ulong)index, 0xC0B7));
        var scene = new SyntheticScene(Size, Size, rng.NextUInt64(), rng.Chance(0.4), groundSampleDistance);
        if (rng.Chance(0.5))
        {
            scene.AddVehicles((Formation)rng.Next(0, 3), rng.Next(3, 13), ChangeKind.None);
        }

        scene.AddVehicles((Formation)rng.Next(0, 3), rng.Next(8, 41), ChangeKind.ObjectBuildUp);
        scene.WithNuisance(Nuisance.Draw(rng, rng.Chance(0.5) ? NuisanceLevel.None : NuisanceLevel.Mild));
        return scene.Render();
    }
}
