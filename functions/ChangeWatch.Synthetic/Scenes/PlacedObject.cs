namespace ChangeWatch.Synthetic;

/// <summary>
/// One vehicle or piece of equipment as rendered: where its centre lies (before-grid pixels; in the after image its
/// content moves by the nuisance's misregistration shift), its footprint, and on which dates it is present.
/// </summary>
/// <param name="X">Centre column, pixels (continuous: pixel x spans [x, x + 1)).</param>
/// <param name="Y">Centre row, pixels.</param>
/// <param name="Length">Length of the body, pixels (shadow excluded).</param>
/// <param name="Width">Width of the body, pixels.</param>
/// <param name="Before">Present in the before image.</param>
/// <param name="After">Present in the after image.</param>
public sealed record PlacedObject(double X, double Y, double Length, double Width, bool Before, bool After);
