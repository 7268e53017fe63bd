using ChangeWatch.Detection;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Training.Data;

/// <summary>One generated change-type example: the type model's features and the exact type (an index into <see cref="ChangeTypes.All"/>).</summary>
/// <param name="Features">The <see cref="ChangeTypeFeatures"/> vector (its first <see cref="TilePairFeatures.Count"/> values are the tile-pair features).</param>
/// <param name="TypeIndex">Index into <see cref="ChangeTypes.All"/>.</param>
/// <param name="Kind">The change placed (None for vegetation-seasonal and other).</param>
public sealed record TypedPair(float[] Features, int TypeIndex, ChangeKind Kind);

/// <summary>
/// Generates change-type examples from the scenario generator, the five types in equal shares, so the labels are exact:
/// object build-up and object departure (4-36 vehicles, park, convoy or dispersed), earthworks/construction (half
/// earthworks, half construction), each with no, mild or strong nuisances (15 / 50 / 35 %); vegetation/seasonal
/// (no change of interest; a seasonal shift of 0.3-1 either way and/or 20-70 % of fields changing crop state, with
/// mild illumination, haze and misregistration); other (no change of interest; strong illumination, per-band gain,
/// haze, blur, noise and up to 2 px misregistration, no vegetation change). Static vehicles on both dates in 35 %.
/// Tiles 256, 288 or 320 px, NIR in 40 %. Pair <c>i</c> is a pure function of (set seed, i); a positive whose change
/// rendered under <see cref="SyntheticDataset.MinChangedPixels"/> labelled pixels is dropped. The features are computed
/// on the pair as the scorers hand it to the type model: after <see cref="TilePairPreparation"/> (co-registration, masks).
/// </summary>
internal static class TypeDataset
{
    private static readonly int[] Sizes = [256, 288, 320];

    public static IReadOnlyList<TypedPair> Generate(ulong seed, int count, CancellationToken cancellationToken = default)
    {
        var results = new TypedPair?[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            i => results[i] = Make(ScenarioRandom.Mix(seed, (ulong)i, 0x7E9E)));
        return [.. results.Where(r => r is not null)!];
    }

    public static TypedPair? Make(ulong pairSeed)
    {
        var (pair, typeIndex, kind) = Render(pairSeed);
        if (kind != ChangeKind.None && pair.ChangedPixels < SyntheticDataset.MinChangedPixels)
        {
            return null;
        }

        var features = new float[ChangeTypeFeatures.Count];
        var prepared = TilePairPreparation.Prepare(pair.Before, pair.After);
        ChangeTypeFeatures.Compute(prepared.Before, prepared.After, features);
        return new TypedPair(features, typeIndex, kind);
    }

    public static (SyntheticPair Pair, int TypeIndex, ChangeKind Kind) Render(ulong pairSeed)
    {
        var rng = new ScenarioRandom(pairSeed);
        var size = Sizes[rng.Next(0, Sizes.Length)];
        var nir = rng.Chance(0.4);
        var typeIndex = rng.Next(0, ChangeTypes.All.Count);
        var scene = new SyntheticScene(size, size, rng.NextUInt64(), nir);
        if (rng.Chance(0.35))
        {
            scene.AddVehicles((Formation)rng.Next(0, 3), rng.Next(3, 15), ChangeKind.None);
        }

        var kind = ChangeTypes.All[typeIndex] switch
        {
            ChangeTypes.ObjectBuildUp => ChangeKind.ObjectBuildUp,
            ChangeTypes.ObjectDeparture => ChangeKind.ObjectDeparture,
            ChangeTypes.EarthworksConstruction => rng.Chance(0.5) ? ChangeKind.Earthworks : ChangeKind.Construction,
            _ => ChangeKind.None,
        };
        Nuisance nuisance;
        if (kind != ChangeKind.None)
        {
            scene.AddRandomChange(kind);
            var l = rng.NextDouble();
            nuisance = Nuisance.Draw(rng, l < 0.15 ? NuisanceLevel.None : l < 0.65 ? NuisanceLevel.Mild : NuisanceLevel.Strong);
        }
        else if (ChangeTypes.All[typeIndex] == ChangeTypes.VegetationSeasonal)
        {
            var mild = Nuisance.Draw(rng, NuisanceLevel.Mild);
            var season = rng.Chance(0.7) ? (rng.Chance(0.5) ? rng.Range(-1.0, -0.3) : rng.Range(0.3, 1.0)) : 0;
            var fields = season == 0 || rng.Chance(0.5) ? rng.Range(0.2, 0.7) : 0;
            nuisance = mild with { Season = season, FieldChangeFraction = fields };
        }
        else
        {
            nuisance = Nuisance.Draw(rng, NuisanceLevel.Strong) with { Season = 0, FieldChangeFraction = 0 };
        }

        scene.WithNuisance(nuisance);
        return (scene.Render(), typeIndex, kind);
    }
}
