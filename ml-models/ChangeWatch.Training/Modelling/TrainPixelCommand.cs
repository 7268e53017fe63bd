using ChangeWatch.Training.Modelling;

namespace ChangeWatch.Training.Modelling;

/// <summary>What train-pixel was asked to do.</summary>
internal sealed record TrainPixelOptions(string Output, string Version, string SharedData, PixelTreeSettings Trees, int SamplesPerDataset, ulong Seed);

/// <summary>Trains the pixel model on the real datasets pooled and writes the model folder.</summary>
internal static class TrainPixelCommand
{
    public static int Run(TrainPixelOptions options, TextWriter output)
    {
        output.WriteLine("train-pixel: not implemented yet");
        return 1;
    }
}
