using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Synthetic;

/// <summary>
/// A rendered before/after pair of the same area with its exact labels. Both rasters hold R, G, B (and NIR when
/// requested) as floats in 0-255 units, no NaN. <see cref="Label"/> is row-major, one byte per pixel of the before
/// (reference) grid: 1 where a change of interest altered the pixel (object, its shadow, dug or cleared ground), 0
/// elsewhere; nuisances never enter it. The after image is misregistered by <see cref="Nuisance"/>'s shift.
/// </summary>
public sealed class SyntheticPair
{
    internal SyntheticPair(TileRaster before, TileRaster after, byte[] label, IReadOnlyList<PlacedChange> changes, IReadOnlyList<PlacedObject> objects, Nuisance nuisance, ulong seed, double groundSampleDistance)
    {
        GroundSampleDistance = groundSampleDistance;
        Objects = objects;
        Before = before;
        After = after;
        Label = label;
        Changes = changes;
        Nuisance = nuisance;
        Seed = seed;
        ChangedPixels = label.AsSpan().Count((byte)1);
    }

    /// <summary>The earlier image.</summary>
    public TileRaster Before { get; }

    /// <summary>The later image (changes of interest and nuisances applied).</summary>
    public TileRaster After { get; }

    /// <summary>Per-pixel change-of-interest mask, row-major, 1 = change.</summary>
    public byte[] Label { get; }

    /// <summary>The changes of interest placed, in the order they were added.</summary>
    public IReadOnlyList<PlacedChange> Changes { get; }

    /// <summary>
    /// Every vehicle and piece of equipment rendered (arriving, departing and static), in placement order: the ground
    /// truth for object counts. Count the ones present on a date (<see cref="PlacedObject.Before"/>,
    /// <see cref="PlacedObject.After"/>) whose centre lies in a window.
    /// </summary>
    public IReadOnlyList<PlacedObject> Objects { get; }

    /// <summary>The nuisances applied.</summary>
    public Nuisance Nuisance { get; }

    /// <summary>The scene seed.</summary>
    public ulong Seed { get; }

    /// <summary>Metres per pixel at which vehicles and equipment were drawn (<see cref="SyntheticScene.GroundSampleDistance"/>).</summary>
    public double GroundSampleDistance { get; }

    /// <summary>Pixels labelled as change.</summary>
    public int ChangedPixels { get; }

    /// <summary>Columns.</summary>
    public int Width => Before.Width;

    /// <summary>Rows.</summary>
    public int Height => Before.Height;
}
