namespace ChangeWatch.Synthetic;

/// <summary>How a group of vehicles is arranged.</summary>
public enum Formation
{
    /// <summary>A vehicle park: rows and columns at regular spacing, usually beside a road.</summary>
    Park = 0,

    /// <summary>A convoy: a column along a road (or a track when the scene has no road).</summary>
    Convoy = 1,

    /// <summary>Dispersed: scattered at random orientations within a radius.</summary>
    Dispersed = 2,
}
