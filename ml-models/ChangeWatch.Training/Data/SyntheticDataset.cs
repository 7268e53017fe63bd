using ChangeWatch.Detection;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Training.Data;

/// <summary>
/// Generates labelled tile pairs from the synthetic scenario generator. Pair <c>i</c> of a set is a pure function of
/// (set seed, i), so the set is identical however many threads build it. Mix: half positives (object build-up 35 %,
/// departure 20 %, earthworks 22.5 %, construction 22.5 %; nuisances none 15 %, mild 50 %, strong 35 %), half
/// nuisance-only negatives (none 10 %, mild 40 %, strong 50 %: the hard negatives), static vehicles on both dates in
/// 40 % of negatives and 30 % of positives; tiles 256, 288 or 320 px; NIR in 40 %. A positive whose placed change
/// rendered fewer than <see cref="MinChangedPixels"/> labelled pixels is dropped (ambiguous).
/// </summary>
internal static class SyntheticDataset
{
    public const int MinChangedPixels = 20;

    private static readonly int[] Sizes = [256, 288, 320];

    public static IReadOnlyList<LabelledPair> Generate(ulong seed, int count, CancellationToken cancellationToken = default)
    {
        var results = new LabelledPair?[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            i => results[i] = Make(ScenarioRandom.Mix(seed, (ulong)i, 0x7A1)));
        return [.. results.Where(r => r is not null)!];
    }

    public static LabelledPair? Make(ulong pairSeed)
    {
        var (pair, kind, level) = Render(pairSeed);
        if (kind != ChangeKind.None && pair.ChangedPixels < MinChangedPixels)
        {
            return null;
        }

        var features = new float[TilePairFeatures.Count];
        TilePairFeatures.Compute(pair.Before, pair.After, features);
        return new LabelledPair(features, kind != ChangeKind.None, kind, level, pair.Width, pair.Before.BandCount > 3, pair.ChangedPixels);
    }

    /// <summary>Renders the pair for a seed with the dataset's mix (also used to look at examples).</summary>
    public static (SyntheticPair Pair, ChangeKind Kind, NuisanceLevel Level) Render(ulong pairSeed)
    {
        var rng = new ScenarioRandom(pairSeed);
        var size = Sizes[rng.Next(0, Sizes.Length)];
        var nir = rng.Chance(0.4);
        var positive = rng.Chance(0.5);
        var kind = ChangeKind.None;
        NuisanceLevel level;
        if (positive)
        {
            var k = rng.NextDouble();
            kind = k < 0.35 ? ChangeKind.ObjectBuildUp : k < 0.55 ? ChangeKind.ObjectDeparture : k < 0.775 ? ChangeKind.Earthworks : ChangeKind.Construction;
            var l = rng.NextDouble();
            level = l < 0.15 ? NuisanceLevel.None : l < 0.65 ? NuisanceLevel.Mild : NuisanceLevel.Strong;
        }
        else
        {
            var l = rng.NextDouble();
            level = l < 0.1 ? NuisanceLevel.None : l < 0.5 ? NuisanceLevel.Mild : NuisanceLevel.Strong;
        }

        var scene = new SyntheticScene(size, size, rng.NextUInt64(), nir);
        if (rng.Chance(positive ? 0.3 : 0.4))
        {
            scene.AddVehicles((Formation)rng.Next(0, 3), rng.Next(3, 15), ChangeKind.None);
        }

        if (positive)
        {
            scene.AddRandomChange(kind);
        }

        scene.WithNuisance(Nuisance.Draw(rng, level));
        return (scene.Render(), kind, level);
    }
}
