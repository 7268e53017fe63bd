using ChangeWatch.Synthetic;

namespace ChangeWatch.Training.Data;

/// <summary>One generated training example: its features, its label and how it was made (for per-group metrics).</summary>
/// <param name="Features">The tile-pair feature vector.</param>
/// <param name="Label">True when the pair holds change of interest.</param>
/// <param name="Kind">The change placed (None for nuisance-only pairs).</param>
/// <param name="Nuisance">Strength of the nuisances applied.</param>
/// <param name="Size">Tile side in pixels.</param>
/// <param name="HasNir">Whether a NIR band was rendered.</param>
/// <param name="ChangedPixels">Labelled pixels.</param>
public sealed record LabelledPair(float[] Features, bool Label, ChangeKind Kind, NuisanceLevel Nuisance, int Size, bool HasNir, int ChangedPixels);
