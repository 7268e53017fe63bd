namespace ChangeWatch.Detection;

/// <summary>
/// The change-type labels a scorer writes on flagged tiles (the report words them through Core's
/// <c>ConfidenceWording.ChangeTypeWords</c>), in the class order of the trained type model.
/// </summary>
public static class ChangeTypes
{
    /// <summary>Vehicles or equipment arriving.</summary>
    public const string ObjectBuildUp = ChangeTypeRule.ObjectBuildUp;

    /// <summary>Vehicles or equipment leaving.</summary>
    public const string ObjectDeparture = ChangeTypeRule.ObjectDeparture;

    /// <summary>Trenches, berms, dug positions, cleared ground, new building footprints.</summary>
    public const string EarthworksConstruction = "earthworks-construction";

    /// <summary>Seasonal vegetation and field changes (growth, drying, harvest, ploughing).</summary>
    public const string VegetationSeasonal = "vegetation-seasonal";

    /// <summary>Anything else (illumination, haze, misregistration, unknown change).</summary>
    public const string Other = "other";

    /// <summary>The type model's classes, in key order (class index i is <c>All[i]</c>).</summary>
    public static IReadOnlyList<string> All { get; } = [ObjectBuildUp, ObjectDeparture, EarthworksConstruction, VegetationSeasonal, Other];

    /// <summary>The class index of a label, or -1.</summary>
    public static int IndexOf(string label) => All.ToList().IndexOf(label);
}
