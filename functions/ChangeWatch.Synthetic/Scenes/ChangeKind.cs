namespace ChangeWatch.Synthetic;

/// <summary>Kinds of change of interest the generator places (nuisances are never a change kind).</summary>
public enum ChangeKind
{
    /// <summary>No change of interest.</summary>
    None = 0,

    /// <summary>Vehicles or equipment present after, absent before.</summary>
    ObjectBuildUp = 1,

    /// <summary>Vehicles or equipment present before, gone after.</summary>
    ObjectDeparture = 2,

    /// <summary>Trenches, berms and dug positions.</summary>
    Earthworks = 3,

    /// <summary>Cleared ground, with or without a new building footprint.</summary>
    Construction = 4,
}
