namespace ChangeWatch.Detection;

/// <summary>
/// Object evidence (<c>objectEvidence</c> in a pixel model's model.json): a tile the pixel model does not flag is still
/// flagged, as a vehicle build-up, when at a ground sample distance of <see cref="ObjectCounter.MaxGroundSampleDistance"/>
/// or finer at least <see cref="MinArrivals"/> vehicles arrived in its core by the change between the dates
/// (<see cref="ObjectCounter.CountArrivals"/>) <b>and</b> the cascade's tile model
/// (<see cref="ModelManifest.CascadeTileModel"/>, trained on synthetic scenes with vehicles and nuisances) flags it too.
/// The pixel models trained on real pairs (buildings, land cover) see few vehicles; the counter alone also reads uneven
/// haze as arrivals; together they flag gatherings and stay quiet on nuisances (docs/model-evaluation.md, "Object
/// evidence"). The tile's mask is then the arrived vehicles' pixels, its probability the tile model's and its change
/// type object build-up (what the evidence counted; the type model is not asked).
/// </summary>
/// <param name="MinArrivals">Fewest vehicles arriving in one tile's core that count as a gathering (at least 1).</param>
public sealed record ObjectEvidence(int MinArrivals)
{
    /// <summary>The rule as the model's SHA-256 covers it (so two versions that differ only in it differ in hash).</summary>
    public string Canonical => $"object-evidence:min-arrivals={MinArrivals}";
}
