using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Synthetic;

/// <summary>One change of interest as rendered: its kind, where its labelled pixels lie and how many objects it holds.</summary>
/// <param name="Kind">What changed.</param>
/// <param name="Formation">The vehicle arrangement, or null for earthworks and construction.</param>
/// <param name="Bounds">Bounding box of the event's labelled pixels (object, shadow, dug ground), in scene pixels.</param>
/// <param name="ObjectCount">Vehicles placed (0 for earthworks and construction).</param>
/// <param name="Site">The caller's site tag (e.g. "site-a"), or null.</param>
public sealed record PlacedChange(ChangeKind Kind, Formation? Formation, PixelWindow Bounds, int ObjectCount, string? Site);
