namespace ChangeWatch.Detection;

/// <summary>
/// The change-type features computed on top of <see cref="TilePairFeatures"/> by <see cref="ChangeTypeFeatures"/>, in
/// vector order after the tile-pair features. Stored by name with every type model and checked when it loads: append
/// only, and train a new model version. "Changed" pixels are those whose 3×3 mean colour difference (robust z units)
/// exceeds the tile's change threshold; "regions" are their 8-connected components of at least 6 pixels.
/// </summary>
public enum ChangeTypeFeature
{
    /// <summary>Fraction of valid pixels marked changed, 0-1.</summary>
    ChangedFraction,

    /// <summary>Mean |local contrast| (luminance minus its 15×15 mean) after minus before, over changed pixels: objects that appear raise it, objects that leave lower it.</summary>
    ContrastGain,

    /// <summary>Mean 5×5 luminance standard deviation after minus before, over changed pixels.</summary>
    TextureGain,

    /// <summary>Mean luminance difference (after − before, z units) over changed pixels.</summary>
    LuminanceChangeInChange,

    /// <summary>Mean red difference minus mean blue difference (after − before, z units) over changed pixels: warm (soil) against cool.</summary>
    WarmthChangeInChange,

    /// <summary>Mean change of excess greenness ((2G − R − B) / (R + G + B)) over changed pixels (sign: after − before).</summary>
    GreennessChangeInChange,

    /// <summary>Mean change of excess greenness over all valid pixels.</summary>
    GreennessChangeMean,

    /// <summary>Fraction of valid pixels whose excess greenness changed by more than 0.05 either way.</summary>
    GreennessChangeFraction,

    /// <summary>Changed pixels much darker than their surroundings after but not before, minus the reverse, per changed pixel.</summary>
    DarkObjectBalance,

    /// <summary>Changed pixels much brighter than their surroundings after but not before, minus the reverse, per changed pixel.</summary>
    BrightObjectBalance,

    /// <summary>Number of vehicle-sized regions (6-150 px, bounding box at most 24 px a side, at least 30 % filled).</summary>
    CompactRegions,

    /// <summary>Fraction of the changed area in regions of at least 400 px.</summary>
    LargeRegionShare,

    /// <summary>Elongation of the largest region (square root of the ratio of its second-moment eigenvalues, ≥ 1).</summary>
    LargestRegionElongation,

    /// <summary>Area of the largest region over its bounding box's area, 0-1.</summary>
    LargestRegionFill,

    /// <summary>Fraction of the changed area in regions of at least 30 px elongated more than 3 or filling under 25 % of their box (trenches, tracks).</summary>
    LinearRegionShare,

    /// <summary>Fraction of the 8 × 8 blocks of the tile that hold changed pixels (above 2 % of the block): spread against localised change.</summary>
    ChangedBlockFraction,

    /// <summary>Mean area in pixels of the vehicle-sized regions (0 when there are none): vehicles are smaller than dug pits.</summary>
    CompactRegionMeanArea,
}
