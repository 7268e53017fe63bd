namespace ChangeWatch.Core.Domain;

/// <summary>Identity of the scoring model: its version and the SHA-256 of its file, recorded on every tile result.</summary>
/// <param name="Version">Model version, e.g. "v1".</param>
/// <param name="Sha256">SHA-256 of the model zip, lowercase hex.</param>
/// <param name="Threshold">Probability at or above which a tile is flagged.</param>
public sealed record ModelInfo(string Version, string Sha256, double Threshold)
{
    /// <summary>Version of the change-type model that labels flagged tiles (e.g. "types-v3"), or null when types come from a fixed rule.</summary>
    public string? TypeModelVersion { get; init; }

    /// <summary>SHA-256 of the change-type model's file, or null when types come from a fixed rule.</summary>
    public string? TypeModelSha256 { get; init; }

    /// <summary>Version of the model that counts vehicles on flagged tiles (e.g. "objects-v1"), or null when the scorer counts none.</summary>
    public string? ObjectModelVersion { get; init; }

    /// <summary>SHA-256 recorded for the vehicle count model, or null when the scorer counts none.</summary>
    public string? ObjectModelSha256 { get; init; }

    /// <summary>How well the vehicle count model counts on data it was not trained on, in words (a report with counts quotes it as a caveat), or null when not recorded.</summary>
    public string? ObjectModelAccuracy { get; init; }
}
