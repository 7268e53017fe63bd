namespace ChangeWatch.Synthetic.Rendering;

/// <summary>A placed event: everything decided at placement time, so rendering draws no placement randomness.</summary>
internal sealed class SceneEvent(ChangeKind kind, Formation? formation, string? site, ulong seed)
{
    public ChangeKind Kind { get; } = kind;

    /// <summary>True for objects present on both dates (clutter, not change).</summary>
    public bool Static { get; init; }

    public Formation? Formation { get; } = formation;

    public string? Site { get; } = site;

    public ulong Seed { get; } = seed;

    public List<Vehicle> Vehicles { get; } = [];

    public List<Trench> Trenches { get; } = [];

    public List<Pit> Pits { get; } = [];

    public Clearing? Clearing { get; set; }
}

/// <summary>A placed vehicle, in pixels: centre, unit direction of its length, half length and width, shadow offset (away from the sun).</summary>
internal sealed record Vehicle(double X, double Y, double Ux, double Uy, double HalfLength, double HalfWidth, double Shadow, Spectrum Colour);

internal sealed record Trench(List<(double X, double Y)> Points, double HalfWidth, double BermWidth);

internal sealed record Pit(double X, double Y, double Radius);

internal sealed record Clearing(double X, double Y, double Ux, double Uy, double HalfLength, double HalfWidth, bool WithBuilding, double BuildingScale, Spectrum Roof);
