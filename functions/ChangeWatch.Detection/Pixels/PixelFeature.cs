namespace ChangeWatch.Detection;

/// <summary>
/// The per-pixel features of <see cref="PixelFeatures"/>, in plane order. "z" values are per-band robust z-scores of
/// each date over the raster it was computed on (median and IQR); "mean r" is the local mean over the (2r+1)² window;
/// magnitude is the change-vector norm over the visible bands. Names are stored in the pixel model's manifest.
/// </summary>
public enum PixelFeature
{
    /// <summary>Local mean of the change magnitude, 3×3.</summary>
    MagnitudeMean1,

    /// <summary>Local mean of the change magnitude, 7×7.</summary>
    MagnitudeMean3,

    /// <summary>Local mean of the change magnitude, 15×15.</summary>
    MagnitudeMean7,

    /// <summary>Local mean of the change magnitude, 31×31.</summary>
    MagnitudeMean15,

    /// <summary>3×3 magnitude mean minus the 31×31 mean: how much the pixel stands out of its surroundings.</summary>
    MagnitudeContrast,

    /// <summary>Median of the change magnitude over the raster (the same for every pixel).</summary>
    MagnitudeRasterMedian,

    /// <summary>90th percentile of the change magnitude over the raster.</summary>
    MagnitudeRasterP90,

    /// <summary>Before, band 1 (red), z.</summary>
    BeforeBand1,

    /// <summary>Before, band 2 (green), z.</summary>
    BeforeBand2,

    /// <summary>Before, band 3 (blue), z.</summary>
    BeforeBand3,

    /// <summary>After, band 1 (red), z.</summary>
    AfterBand1,

    /// <summary>After, band 2 (green), z.</summary>
    AfterBand2,

    /// <summary>After, band 3 (blue), z.</summary>
    AfterBand3,

    /// <summary>Local mean of the band-1 difference (after − before), 5×5.</summary>
    Band1DifferenceMean2,

    /// <summary>Local mean of the band-2 difference, 5×5.</summary>
    Band2DifferenceMean2,

    /// <summary>Local mean of the band-3 difference, 5×5.</summary>
    Band3DifferenceMean2,

    /// <summary>Local mean of the band-1 difference, 15×15.</summary>
    Band1DifferenceMean7,

    /// <summary>Local mean of the band-2 difference, 15×15.</summary>
    Band2DifferenceMean7,

    /// <summary>Local mean of the band-3 difference, 15×15.</summary>
    Band3DifferenceMean7,

    /// <summary>Local mean of the luminance difference, 31×31.</summary>
    LuminanceDifferenceMean15,

    /// <summary>Before luminance, local mean 15×15.</summary>
    BeforeLuminanceMean7,

    /// <summary>After luminance, local mean 15×15.</summary>
    AfterLuminanceMean7,

    /// <summary>Before luminance, local standard deviation 5×5 (texture).</summary>
    BeforeTexture2,

    /// <summary>After luminance, local standard deviation 5×5.</summary>
    AfterTexture2,

    /// <summary>Before luminance, local standard deviation 15×15.</summary>
    BeforeTexture7,

    /// <summary>After luminance, local standard deviation 15×15.</summary>
    AfterTexture7,

    /// <summary>Correlation of the two dates' luminance over 7×7 (1 = same pattern).</summary>
    Correlation3,

    /// <summary>Correlation of the two dates' luminance over 15×15.</summary>
    Correlation7,

    /// <summary>Local mean over 5×5 of the gradient-magnitude change (after − before).</summary>
    GradientChangeMean2,

    /// <summary>Local mean over 5×5 of the absolute gradient-magnitude change.</summary>
    AbsoluteGradientChangeMean2,

    /// <summary>Local mean over 5×5 of the NDVI change (after − before); 0 without a 4th (NIR) band.</summary>
    NdviChangeMean2,

    /// <summary>Median over the raster of the 5×5 luminance texture of both dates: tells fine aerial imagery from coarse satellite imagery.</summary>
    TextureRasterMedian,

    /// <summary>1 when a 4th (NIR) band is present, else 0.</summary>
    HasNir,

    /// <summary>
    /// log2 of the ground sample distance in metres (0.5 m → −1, 10 m → 3.32), from the rasters' georeferencing; 0 (1 m)
    /// when neither date is georeferenced. Lets one model trained on several sensors treat each resolution as its own
    /// (added for v4; models trained before it read only the planes before it).
    /// </summary>
    GroundSampleLog2,
}
