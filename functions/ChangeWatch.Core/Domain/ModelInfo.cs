namespace ChangeWatch.Core.Domain;

/// <summary>Identity of the scoring model: its version and the SHA-256 of its file, recorded on every tile result.</summary>
/// <param name="Version">Model version, e.g. "v1".</param>
/// <param name="Sha256">SHA-256 of the model zip, lowercase hex.</param>
/// <param name="Threshold">Probability at or above which a tile is flagged.</param>
public sealed record ModelInfo(string Version, string Sha256, double Threshold);
