using ChangeWatch.Detection;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Modelling;

/// <summary>
/// How the pooled model is built to transfer to a resolution or sensor no dataset it was trained on has (the tiles no
/// resolution expert serves): it is trained without the features that tell a dataset apart rather than describe a
/// change — the tile's ground sample distance, whether it has a NIR band, the raster-level magnitude and texture values,
/// and each date's absolute band and luminance levels (held at 0 in every training row, so no tree splits on them) —
/// and each tile takes Otsu's threshold on its own probabilities, never below <see cref="Floor"/>
/// (<see cref="PixelChangeModel.AdaptiveThreshold"/>). Trained with them, the pooled model ranked a new dataset's
/// cells worse, and a threshold chosen on the training datasets landed far from the new one's best
/// (docs/model-evaluation.md, "Transfer to a new sensor").
/// </summary>
internal static class TransferRecipe
{
    /// <summary>
    /// The adaptive threshold's floor: the balanced-odds point of a model trained on balanced classes (a pixel the model
    /// finds more likely unchanged than changed is never flagged, however flat a tile's probabilities).
    /// </summary>
    public const double Floor = 0.5;

    /// <summary>The features held at 0 for the pooled model.</summary>
    public static IReadOnlyList<PixelFeature> Excluded { get; } =
    [
        PixelFeature.MagnitudeRasterMedian, PixelFeature.MagnitudeRasterP90,
        PixelFeature.BeforeBand1, PixelFeature.BeforeBand2, PixelFeature.BeforeBand3,
        PixelFeature.AfterBand1, PixelFeature.AfterBand2, PixelFeature.AfterBand3,
        PixelFeature.BeforeLuminanceMean7, PixelFeature.AfterLuminanceMean7,
        PixelFeature.TextureRasterMedian, PixelFeature.HasNir, PixelFeature.GroundSampleLog2,
    ];

    /// <summary>The pooled model's rows: <paramref name="samples"/> with <see cref="Excluded"/> at 0 (the experts keep every feature).</summary>
    public static IReadOnlyDictionary<ChangePair, PixelSamples> Rows(IReadOnlyDictionary<ChangePair, PixelSamples> samples) =>
        new FeatureView("transfer", Excluded).Rows(samples, samples.Keys);

    /// <summary>A pooled model of <paramref name="trees"/> with the adaptive threshold.</summary>
    public static PixelChangeModel Model(PixelTreeModel trees, int stride, double gate) =>
        new(trees, Floor, stride, gate) { AdaptiveThreshold = true };
}
