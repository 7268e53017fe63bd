namespace ChangeWatch.Detection;

/// <summary>Which change blobs a <see cref="VehicleCountModel"/>'s arrival ensembles are asked about.</summary>
public enum ArrivalGate
{
    /// <summary>
    /// Only blobs the rules' direction test reads as arrived (darker after, or unlike the ground beside them after):
    /// objects-v1. A light vehicle arriving on darker ground reads brighter after, as something that left, and is never
    /// counted.
    /// </summary>
    Direction,

    /// <summary>
    /// Those, and the blobs read as left that the rules neither count as departures nor reject by shape whose change is
    /// mixed, not a uniform brightening (spread of the difference vectors at least <see cref="ChangeObjectCounter.MinSpread"/>:
    /// a light body beside its own shadow, where a dug pit or fresh spoil brightens evenly): objects-v2.
    /// </summary>
    DirectionOrMixed,
}

/// <summary>Names of <see cref="ArrivalGate"/> values as model.json and the trainer's options write them.</summary>
public static class ArrivalGates
{
    /// <summary>The name of <paramref name="gate"/>: <c>direction</c> or <c>direction-or-mixed</c>.</summary>
    public static string Name(ArrivalGate gate) => gate switch
    {
        ArrivalGate.Direction => "direction",
        ArrivalGate.DirectionOrMixed => "direction-or-mixed",
        _ => throw new ArgumentOutOfRangeException(nameof(gate), gate, "Unknown arrival gate."),
    };

    /// <summary>The gate named <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">Not a gate's name.</exception>
    public static ArrivalGate Parse(string name) => name switch
    {
        "direction" => ArrivalGate.Direction,
        "direction-or-mixed" => ArrivalGate.DirectionOrMixed,
        _ => throw new InvalidDataException($"Unknown arrival gate '{name}' (direction, direction-or-mixed)."),
    };
}
