using ChangeWatch.Detection;
using ChangeWatch.Training.RealData;

namespace ChangeWatch.Training.Modelling;

/// <summary>
/// The features a model is trained without: they are held at 0 in every training row, so no tree splits on them (the
/// pipeline still computes them; scoring is unchanged). A resolution expert may choose its view by cross-validation
/// over its sites (<c>--expert-views all,no-levels</c>).
/// </summary>
internal sealed record FeatureView(string Name, IReadOnlyList<PixelFeature> AtZero)
{
    /// <summary>Every feature.</summary>
    public static FeatureView All { get; } = new("all", []);

    /// <summary>
    /// Without each date's absolute levels (the three bands and the 15 × 15 luminance of each date): only differences,
    /// ratios, texture and context are left. The inner cross-validation chose it in 7 of OSCD's 8 leave-one-site-out
    /// folds (seed 1), 1 of LEVIR's 10 and none of SZTAKI's, but not on all sites of any dataset, so no shipped model
    /// uses it (docs/model-evaluation.md, "Transfer to a new sensor": feature views, tried and not taken).
    /// </summary>
    public static FeatureView NoLevels { get; } = new("no-levels",
    [
        PixelFeature.BeforeBand1, PixelFeature.BeforeBand2, PixelFeature.BeforeBand3,
        PixelFeature.AfterBand1, PixelFeature.AfterBand2, PixelFeature.AfterBand3,
        PixelFeature.BeforeLuminanceMean7, PixelFeature.AfterLuminanceMean7,
    ]);

    /// <summary>
    /// Without the three raster-level values (the change magnitude's median and 90th percentile and the texture median
    /// over the raster): one value per image, so an expert trained on 9-10 images could tell its images apart by them
    /// instead of learning what a change looks like.
    /// </summary>
    public static FeatureView NoRaster { get; } = new("no-raster",
    [
        PixelFeature.MagnitudeRasterMedian, PixelFeature.MagnitudeRasterP90, PixelFeature.TextureRasterMedian,
    ]);

    /// <summary>The view named <paramref name="name"/> ("all", "no-levels" or "no-raster").</summary>
    /// <exception cref="FormatException">Another name.</exception>
    public static FeatureView Parse(string name) => name.Trim() switch
    {
        "all" => All,
        "no-levels" => NoLevels,
        "no-raster" => NoRaster,
        var other => throw new FormatException($"unknown feature view '{other}' (all, no-levels, no-raster)"),
    };

    /// <summary>The rows of <paramref name="pairs"/> in this view (the same rows when nothing is held at 0).</summary>
    public IReadOnlyDictionary<ChangePair, PixelSamples> Rows(IReadOnlyDictionary<ChangePair, PixelSamples> samples, IEnumerable<ChangePair> pairs)
    {
        if (AtZero.Count == 0)
        {
            return samples;
        }

        var columns = AtZero.Select(f => (int)f).ToArray();
        return pairs.ToDictionary(p => p, p => samples[p].WithFeaturesAtZero(columns));
    }
}
