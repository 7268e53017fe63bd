using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Data;

/// <summary>
/// Synthetic pairs added to the pixel model's training (never to its test sets): scenes of the synthetic test set's
/// generator (<see cref="EvalScenes.Mixed"/>: build-ups, departures, earthworks, construction and nuisances) drawn from
/// their own seed family (<see cref="SyntheticSeeds.PixelTraining"/>), labelled per pixel, at <see cref="GroundSampleDistance"/>.
/// They teach the model what real labelled pairs hold too little of: vehicles and equipment gathering.
/// </summary>
internal static class SyntheticPixelPairs
{
    /// <summary>The <see cref="ChangePair.Dataset"/> of these pairs.</summary>
    public const string Dataset = "synthetic";

    /// <summary>Metres a pixel the scenes are rendered for (the demo's scenes state the same).</summary>
    public const double GroundSampleDistance = 0.5;

    /// <summary>The first <paramref name="count"/> pairs of the family, each its own site.</summary>
    public static List<ChangePair> Generate(int count)
    {
        var pairs = new ChangePair[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            pairs[i] = EvalScenes.ToChangePair(EvalScenes.Mixed(SyntheticSeeds.PixelTraining, i), $"pixel-train-{i}") with { GroundSampleDistance = GroundSampleDistance });
        return [.. pairs];
    }
}
