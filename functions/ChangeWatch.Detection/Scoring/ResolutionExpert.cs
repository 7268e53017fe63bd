namespace ChangeWatch.Detection;

/// <summary>
/// A resolution expert as listed in a pixel model's manifest (<see cref="ModelManifest.ResolutionExperts"/>): its model
/// file beside model.zip and what it serves (<see cref="PixelExpert"/>). Loaded and checked by <see cref="PixelModelFile"/>.
/// </summary>
/// <param name="File">File name of the ML.NET model in the model's folder (a plain name, no folders).</param>
/// <param name="Dataset">The labelled dataset it was trained on.</param>
/// <param name="GroundSampleDistance">That dataset's ground sample distance, metres a pixel.</param>
/// <param name="MinGroundSampleDistance">Finest ground sample distance served.</param>
/// <param name="MaxGroundSampleDistance">Coarsest ground sample distance served.</param>
/// <param name="Threshold">Its pixel threshold (0-1), chosen on its dataset's out-of-fold maps.</param>
/// <param name="Sha256">SHA-256 of <paramref name="File"/> (lowercase hex), checked on load.</param>
/// <param name="Trees">Number of trees.</param>
/// <param name="Leaves">Leaves per tree.</param>
/// <param name="FeaturesAtZero">Features it was trained without (held at 0, so no tree reads them); null or empty: none. Informational: scoring computes every feature.</param>
/// <param name="DateOrders">Which way round its training rows took the dates: "forward" (as given) or "both" (half of them swapped); null: as given (models before v8). Informational: scoring reads the dates as given.</param>
/// <param name="Smoothing">How its probability map is smoothed (<see cref="ProbabilitySmoothing.Name"/>: "box:2", "guided:4:0.2"); null: the 5×5 box mean (models before v9). Scoring applies it, and the model's SHA-256 covers it.</param>
public sealed record ResolutionExpert(
    string File, string Dataset, double GroundSampleDistance, double MinGroundSampleDistance, double MaxGroundSampleDistance,
    double Threshold, string Sha256, int Trees, int Leaves, IReadOnlyList<string>? FeaturesAtZero = null, string? DateOrders = null, string? Smoothing = null);
