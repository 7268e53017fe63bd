namespace ChangeWatch.Detection;

/// <summary>
/// A simple rule-based change typing used until a trained type model exists: it reads the small-blob counts of the
/// feature vector. At least 8 compact blobs appearing and three times as many (+1) as leaving reads as "object-build-up", the reverse as
/// "object-departure"; anything else is "unclassified" (earthworks, construction and vegetation are not typed yet).
/// </summary>
public static class ChangeTypeRule
{
    /// <summary>Vehicles or equipment arriving.</summary>
    public const string ObjectBuildUp = "object-build-up";

    /// <summary>Vehicles or equipment leaving.</summary>
    public const string ObjectDeparture = "object-departure";

    /// <summary>No type assigned.</summary>
    public const string Unclassified = "unclassified";

    /// <summary>Fewest new (or vanished) compact blobs for a type to be given.</summary>
    public const int MinObjects = 8;

    /// <summary>The type label for a feature vector.</summary>
    public static string Classify(ReadOnlySpan<float> features)
    {
        if (features.Length < TilePairFeatures.Count)
        {
            throw new ArgumentException($"The feature span must hold {TilePairFeatures.Count} values.", nameof(features));
        }

        var appeared = features[(int)TilePairFeature.BlobsAppeared];
        var disappeared = features[(int)TilePairFeature.BlobsDisappeared];
        if (appeared >= MinObjects && appeared >= 3 * (disappeared + 1))
        {
            return ObjectBuildUp;
        }

        if (disappeared >= MinObjects && disappeared >= 3 * (appeared + 1))
        {
            return ObjectDeparture;
        }

        return Unclassified;
    }
}
