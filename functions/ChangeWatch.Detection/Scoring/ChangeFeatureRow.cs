using Microsoft.ML.Data;

namespace ChangeWatch.Detection;

/// <summary>One tile pair as the ML.NET model sees it: the feature vector and, for training, the label.</summary>
public sealed class ChangeFeatureRow
{
    /// <summary>The <see cref="TilePairFeatures"/> vector (<see cref="TilePairFeatures.Count"/> values).</summary>
    [VectorType(TilePairFeatures.Count)]
    public float[] Features { get; set; } = new float[TilePairFeatures.Count];

    /// <summary>True when the pair holds change of interest (training and evaluation only).</summary>
    public bool Label { get; set; }
}

/// <summary>The model's output columns.</summary>
public sealed class ChangePrediction
{
    /// <summary>Calibrated probability of change of interest, 0-1.</summary>
    public float Probability { get; set; }

    /// <summary>Raw ensemble score (uncalibrated margin).</summary>
    public float Score { get; set; }
}
