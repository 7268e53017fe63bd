namespace ChangeWatch.Detection;

/// <summary>The steps of <see cref="CascadeChangeScorer"/>, in the order a tile goes through them (for <see cref="ScoringStepTimes"/>).</summary>
public enum ScoringStep
{
    /// <summary>Co-registration and masks of the pair; which pixels hold data in both dates; the masked fraction and whether the tile is assessable.</summary>
    Preparation,

    /// <summary>The tile gate: whether the pixel model looks at the tile at all.</summary>
    Gate,

    /// <summary>Per-pixel features (<see cref="PixelFeatures"/>, including each date's normalisation).</summary>
    Features,

    /// <summary>The tree ensemble on the feature grid.</summary>
    Ensemble,

    /// <summary>Interpolation of the grid probabilities to every pixel and the 5×5 box mean.</summary>
    Smoothing,

    /// <summary>Thresholding, small-region removal, the tile's flag and probability.</summary>
    Mask,

    /// <summary>Object evidence (<see cref="ObjectEvidence"/>) on tiles the mask left unflagged: arrivals counted, then the tile model where they gather.</summary>
    Evidence,

    /// <summary>The change type of flagged tiles.</summary>
    Type,

    /// <summary>Vehicles and equipment counted in flagged tiles.</summary>
    Objects,
}
