using Microsoft.ML.Data;

namespace ChangeWatch.Detection;

/// <summary>Input row of the change-type model: the tile-pair features and (for training) the type label.</summary>
public sealed class ChangeTypeRow
{
    /// <summary>The feature vector: <see cref="ChangeTypeFeatures"/> (or, for the older models, <see cref="TilePairFeatures"/> alone).</summary>
    [VectorType(ChangeTypeFeatures.Count)]
    public float[] Features { get; set; } = new float[ChangeTypeFeatures.Count];

    /// <summary>The type label, one of <see cref="ChangeTypes.All"/> (training only; empty when scoring).</summary>
    public string Type { get; set; } = string.Empty;

    /// <summary>The row schema with a feature vector of <paramref name="featureCount"/> values (the models differ in length).</summary>
    public static SchemaDefinition Schema(int featureCount)
    {
        var schema = SchemaDefinition.Create(typeof(ChangeTypeRow));
        schema[nameof(Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        return schema;
    }
}

/// <summary>Output row of the change-type model.</summary>
public sealed class ChangeTypePrediction
{
    /// <summary>The predicted type label, one of <see cref="ChangeTypes.All"/>.</summary>
    public string PredictedType { get; set; } = string.Empty;
}
