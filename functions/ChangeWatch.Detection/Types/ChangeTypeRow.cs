using Microsoft.ML.Data;

namespace ChangeWatch.Detection;

/// <summary>Input row of the change-type model: the tile-pair features and (for training) the type label.</summary>
public sealed class ChangeTypeRow
{
    /// <summary>The tile-pair feature vector (<see cref="TilePairFeatures"/>).</summary>
    [VectorType(TilePairFeatures.Count)]
    public float[] Features { get; set; } = new float[TilePairFeatures.Count];

    /// <summary>The type label, one of <see cref="ChangeTypes.All"/> (training only; empty when scoring).</summary>
    public string Type { get; set; } = string.Empty;
}

/// <summary>Output row of the change-type model.</summary>
public sealed class ChangeTypePrediction
{
    /// <summary>The predicted type label, one of <see cref="ChangeTypes.All"/>.</summary>
    public string PredictedType { get; set; } = string.Empty;
}
