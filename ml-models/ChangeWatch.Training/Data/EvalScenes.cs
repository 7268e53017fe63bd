using ChangeWatch.Synthetic;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Data;

/// <summary>
/// Scenes of the synthetic test set (512 × 512 px, NIR in 40 %), each a pure function of (family seed, index):
/// <see cref="Mixed"/> for pixel and cell metrics, <see cref="NuisanceOnly"/> for false alarms.
/// </summary>
internal static class EvalScenes
{
    public const int Size = 512;

    /// <summary>Side of the nuisance-only scenes: 3 × 224, so the pipeline grid (256 px tiles, 32 px overlap) lays 9 whole tiles on it.</summary>
    public const int NuisanceSize = 672;

    /// <summary>
    /// A scene with 1-3 changes of interest (build-up, departure, earthworks, construction in equal shares) in 75 % of
    /// scenes, none in 25 %; static vehicles in 40 %; no, mild or strong nuisances (20 / 50 / 30 %). Vehicles are drawn at
    /// <paramref name="groundSampleDistance"/> (the landscape, earthworks and construction stay in pixels).
    /// </summary>
    public static SyntheticPair Mixed(ulong family, int index, double groundSampleDistance = 1.0)
    {
        var rng = new ScenarioRandom(ScenarioRandom.Mix(family, (ulong)index, 0x5CE7));
        var scene = new SyntheticScene(Size, Size, rng.NextUInt64(), rng.Chance(0.4), groundSampleDistance);
        if (rng.Chance(0.4))
        {
            scene.AddVehicles((Formation)rng.Next(0, 3), rng.Next(3, 13), ChangeKind.None);
        }

        var changes = rng.Chance(0.75) ? rng.Next(1, 4) : 0;
        for (var c = 0; c < changes; c++)
        {
            scene.AddRandomChange((ChangeKind)rng.Next(1, 5));
        }

        var l = rng.NextDouble();
        scene.WithNuisance(Nuisance.Draw(rng, l < 0.2 ? NuisanceLevel.None : l < 0.7 ? NuisanceLevel.Mild : NuisanceLevel.Strong));
        return scene.Render();
    }

    /// <summary>
    /// A scene with no change of interest and only the nuisances the issue names: illumination (gain 0.6-1.5, offset
    /// ±20, per-band gain up to ±10 %), haze (none in a third, else 0-0.45) and misregistration of at most 2 px (uniform
    /// direction, length 0-2 px), sensor noise 0.5-4; no seasonal or field change. Static vehicles in 40 %, drawn at
    /// <paramref name="groundSampleDistance"/> (metres per pixel; the landscape is the same in pixels whatever it is).
    /// </summary>
    public static SyntheticPair NuisanceOnly(ulong family, int index, double groundSampleDistance = 1.0)
    {
        var rng = new ScenarioRandom(ScenarioRandom.Mix(family, (ulong)index, 0x4A15));
        var scene = new SyntheticScene(NuisanceSize, NuisanceSize, rng.NextUInt64(), rng.Chance(0.4), groundSampleDistance);
        if (rng.Chance(0.4))
        {
            scene.AddVehicles((Formation)rng.Next(0, 3), rng.Next(3, 13), ChangeKind.None);
        }

        var angle = rng.Range(0, 2 * Math.PI);
        var shift = rng.Range(0, 2);
        scene.WithNuisance(new Nuisance
        {
            Gain = rng.Range(0.6, 1.5),
            Offset = rng.Range(-20, 20),
            BandGainSpread = rng.Range(0, 0.1),
            Haze = rng.Chance(1 / 3.0) ? 0 : rng.Range(0, 0.45),
            NoiseSigma = rng.Range(0.5, 4),
            ShiftX = shift * Math.Cos(angle),
            ShiftY = shift * Math.Sin(angle),
        });
        return scene.Render();
    }

    /// <summary>The pair as the real-data evaluation reads one (site = scene).</summary>
    public static ChangePair ToChangePair(SyntheticPair pair, string name) =>
        new("synthetic", name, name, pair.Width, pair.Height, pair.Before.BandCount, pair.Before.Data, pair.After.Data, pair.Label);
}
