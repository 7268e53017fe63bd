namespace ChangeWatch.Detection;

/// <summary>
/// The tile-pair features, in vector order. The names (<see cref="TilePairFeatures.Names"/>) are stored with every model
/// and checked when it loads, so renaming, removing or reordering a member breaks shipped models: append only, and train
/// a new model version. "Magnitude" is the change-vector magnitude on per-date robustly normalised bands (z units);
/// "tolerant" means each pixel is compared with the best-matching pixel of the other date within ±1 px.
/// </summary>
public enum TilePairFeature
{
    /// <summary>Fraction of pixels with no data in either date, 0-1.</summary>
    MaskedFraction,

    /// <summary>Mean tolerant magnitude.</summary>
    MagnitudeMean,

    /// <summary>Standard deviation of the tolerant magnitude.</summary>
    MagnitudeStd,

    /// <summary>Median tolerant magnitude.</summary>
    MagnitudeP50,

    /// <summary>90th percentile of the tolerant magnitude.</summary>
    MagnitudeP90,

    /// <summary>99th percentile of the tolerant magnitude.</summary>
    MagnitudeP99,

    /// <summary>Fraction of pixels with tolerant magnitude above 2.</summary>
    MagnitudeFractionAbove2,

    /// <summary>Fraction of pixels with tolerant magnitude above 3.</summary>
    MagnitudeFractionAbove3,

    /// <summary>Mean plain (pixel-to-same-pixel) magnitude.</summary>
    RawMagnitudeMean,

    /// <summary>99th percentile of the plain magnitude.</summary>
    RawMagnitudeP99,

    /// <summary>Mean tolerant over mean plain magnitude (low when misregistration dominates the plain difference).</summary>
    TolerantToRawRatio,

    /// <summary>1st percentile of the band-1 normalised difference (after - before).</summary>
    Band1DifferenceP01,

    /// <summary>99th percentile of the band-1 normalised difference.</summary>
    Band1DifferenceP99,

    /// <summary>1st percentile of the band-2 normalised difference.</summary>
    Band2DifferenceP01,

    /// <summary>99th percentile of the band-2 normalised difference.</summary>
    Band2DifferenceP99,

    /// <summary>1st percentile of the band-3 normalised difference.</summary>
    Band3DifferenceP01,

    /// <summary>99th percentile of the band-3 normalised difference.</summary>
    Band3DifferenceP99,

    /// <summary>Maximum of the 5×5 local mean of the tolerant magnitude.</summary>
    Local5Max,

    /// <summary>99th percentile of the 5×5 local mean.</summary>
    Local5P99,

    /// <summary>Fraction of pixels whose 5×5 local mean exceeds 2.</summary>
    Local5FractionAbove2,

    /// <summary>Maximum of the 15×15 local mean of the tolerant magnitude.</summary>
    Local15Max,

    /// <summary>99th percentile of the 15×15 local mean.</summary>
    Local15P99,

    /// <summary>Fraction of pixels whose 15×15 local mean exceeds 1.</summary>
    Local15FractionAbove1,

    /// <summary>Pearson correlation of the two dates' luminance over the tile.</summary>
    CorrelationGlobal,

    /// <summary>Mean of the 15×15 windowed correlation (SSIM-style constant: flat windows count as correlated).</summary>
    CorrelationLocalMean,

    /// <summary>5th percentile of the 15×15 windowed correlation.</summary>
    CorrelationLocalP05,

    /// <summary>Mean absolute change of luminance gradient magnitude.</summary>
    GradientChangeMean,

    /// <summary>99th percentile of the absolute gradient-magnitude change.</summary>
    GradientChangeP99,

    /// <summary>Log ratio of mean gradient magnitude, after over before (sharpness, blur).</summary>
    GradientLogRatio,

    /// <summary>Small compact dark blobs (4-80 px) before.</summary>
    DarkBlobsBefore,

    /// <summary>Small compact dark blobs after.</summary>
    DarkBlobsAfter,

    /// <summary>Small compact bright blobs before.</summary>
    BrightBlobsBefore,

    /// <summary>Small compact bright blobs after.</summary>
    BrightBlobsAfter,

    /// <summary>Dark blobs after minus before.</summary>
    DarkBlobsDifference,

    /// <summary>Bright blobs after minus before.</summary>
    BrightBlobsDifference,

    /// <summary>Compact blobs present after with no blob within 2 px before (objects arriving).</summary>
    BlobsAppeared,

    /// <summary>Compact blobs present before with no blob within 2 px after (objects leaving).</summary>
    BlobsDisappeared,

    /// <summary>1st percentile of the 5×5 local mean of the luminance difference (strongest darkening).</summary>
    LuminanceChangeLocalP01,

    /// <summary>99th percentile of the 5×5 local mean of the luminance difference (strongest brightening).</summary>
    LuminanceChangeLocalP99,

    /// <summary>Mean luminance difference, after minus before (near 0 after normalisation).</summary>
    LuminanceChangeMean,

    /// <summary>Mean absolute change of 5×5 local standard deviation (texture).</summary>
    TextureChangeMean,

    /// <summary>99th percentile of the absolute texture change.</summary>
    TextureChangeP99,

    /// <summary>1 when a fourth (NIR) band is present, else 0.</summary>
    HasNir,

    /// <summary>Mean NDVI change (after - before); 0 without NIR.</summary>
    NdviChangeMean,

    /// <summary>1st percentile of NDVI change; 0 without NIR.</summary>
    NdviChangeP01,

    /// <summary>99th percentile of NDVI change; 0 without NIR.</summary>
    NdviChangeP99,

    /// <summary>Fraction of pixels whose NDVI changed by more than 0.2; 0 without NIR.</summary>
    NdviChangeFractionAbove02,

    /// <summary>Connected regions (at least 6 px) where the 5×5 local mean of the magnitude exceeds 1.5.</summary>
    ChangeRegionCount,

    /// <summary>Area of the largest such region, as a fraction of the tile.</summary>
    ChangeRegionLargestFraction,
}
