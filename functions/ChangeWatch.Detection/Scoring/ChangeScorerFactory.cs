using ChangeWatch.Core.Ports;

namespace ChangeWatch.Detection;

/// <summary>Opens the scorer a model version needs: <see cref="CascadeChangeScorer"/> for a pixel model, <see cref="MlNetChangeScorer"/> for a tile model.</summary>
public static class ChangeScorerFactory
{
    /// <summary>Reads <c>{modelDirectory}/{version}/model.json</c> and loads the matching scorer; <paramref name="coreMargin"/> is half the grid's tile overlap (objects are counted in tile cores only).</summary>
    /// <exception cref="FileNotFoundException">A model file is missing.</exception>
    /// <exception cref="InvalidDataException">The model does not match the code.</exception>
    public static IChangeScorer Create(string modelDirectory, string version, double? thresholdOverride = null, double maxMaskedFraction = 0.5, int coreMargin = MlNetChangeScorer.DefaultCoreMargin)
    {
        var manifestPath = Path.Combine(modelDirectory, version, "model.json");
        var isPixel = File.Exists(manifestPath)
            && string.Equals(ModelManifest.Read(manifestPath).Kind, ModelManifest.PixelKind, StringComparison.Ordinal);
        return isPixel
            ? new CascadeChangeScorer(modelDirectory, version, thresholdOverride, maxMaskedFraction, coreMargin: coreMargin)
            : new MlNetChangeScorer(modelDirectory, version, thresholdOverride, maxMaskedFraction, coreMargin);
    }
}
