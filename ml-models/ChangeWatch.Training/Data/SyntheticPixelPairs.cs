using ChangeWatch.Synthetic;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Data;

/// <summary>
/// Synthetic pairs added to the pixel model's training (never to its test sets), from their own seed family
/// (<see cref="SyntheticSeeds.PixelTraining"/>), labelled per pixel, at <see cref="GroundSampleDistance"/>: 512 px
/// scenes with 1-3 changes of interest (build-up, departure, earthworks, construction), static vehicles in 40 %, and no or
/// mild nuisances without field or strong seasonal change. They teach the model what the real labelled pairs hold too
/// little of (vehicles and equipment gathering or leaving). Field and seasonal change are left out on purpose: labelled
/// "no change" at 0.5 m they taught the model that large-area change is not change, and LEVIR's new buildings are just
/// that (leave-one-site-out LEVIR pixel F1 0.462 → 0.429, cell AUC 0.800 → 0.726 with the test set's generator).
/// </summary>
internal static class SyntheticPixelPairs
{
    /// <summary>The <see cref="ChangePair.Dataset"/> of these pairs.</summary>
    public const string Dataset = "synthetic";

    /// <summary>Metres a pixel the scenes are rendered for (the demo's scenes state the same).</summary>
    public const double GroundSampleDistance = 0.5;

    /// <summary>Training rows drawn from <paramref name="dataset"/>: <paramref name="syntheticSamples"/> for the synthetic pairs when above 0, else <paramref name="samplesPerDataset"/>.</summary>
    public static int Budget(string dataset, int samplesPerDataset, int syntheticSamples) =>
        dataset == Dataset && syntheticSamples > 0 ? syntheticSamples : samplesPerDataset;

    /// <summary>The first <paramref name="count"/> pairs of the family, each its own site.</summary>
    public static List<ChangePair> Generate(int count)
    {
        var pairs = new ChangePair[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            pairs[i] = EvalScenes.ToChangePair(Render(i), $"pixel-train-{i}") with { GroundSampleDistance = GroundSampleDistance });
        return [.. pairs];
    }

    /// <summary>
    /// The first <paramref name="count"/> nuisance-only scenes of family <see cref="SyntheticSeeds.PixelNuisanceTraining"/>
    /// (the generator of the false-alarm test set, <see cref="EvalScenes.NuisanceOnly"/>: gain, offset, band gains, uneven
    /// haze up to 0.45, noise, up to 2 px misregistration; static vehicles in 40 %), each its own site, every pixel
    /// unchanged, at 1 m. Added to the pooled model's training (dataset <see cref="Dataset"/>, so no expert and no
    /// real-data threshold sees them) they teach it that these are not change: trained on real pairs alone it flagged
    /// uneven haze (docs/model-evaluation.md, "Transfer to a new sensor").
    /// </summary>
    public static List<ChangePair> GenerateNuisanceOnly(int count)
    {
        var pairs = new ChangePair[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            pairs[i] = EvalScenes.ToChangePair(EvalScenes.NuisanceOnly(SyntheticSeeds.PixelNuisanceTraining, i), $"nuisance-train-{i}") with { GroundSampleDistance = 1.0 });
        return [.. pairs];
    }

    private static SyntheticPair Render(int index)
    {
        var rng = new ScenarioRandom(ScenarioRandom.Mix(SyntheticSeeds.PixelTraining, (ulong)index, 0x91C5));
        var scene = new SyntheticScene(EvalScenes.Size, EvalScenes.Size, rng.NextUInt64(), rng.Chance(0.4));
        if (rng.Chance(0.4))
        {
            scene.AddVehicles((Formation)rng.Next(0, 3), rng.Next(3, 13), ChangeKind.None);
        }

        var changes = rng.Next(1, 4);
        for (var c = 0; c < changes; c++)
        {
            scene.AddRandomChange((ChangeKind)rng.Next(1, 5));
        }

        var nuisance = rng.Chance(0.3) ? Nuisance.Draw(rng, NuisanceLevel.None) : Nuisance.Draw(rng, NuisanceLevel.Mild) with { FieldChangeFraction = 0 };
        return scene.WithNuisance(nuisance).Render();
    }
}
