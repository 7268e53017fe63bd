using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChangeWatch.Detection;

/// <summary>
/// The <c>model.json</c> beside every <c>model.zip</c>: what the model expects (feature names in order) and how it was
/// made and measured. Written by the trainer in <c>ml-models/</c>, read by <see cref="MlNetChangeScorer"/>.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>JSON options used for the file: camelCase names, indented, no escaping of "&lt;" or "&gt;" (the file is never embedded in HTML).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The value of <see cref="Kind"/> for a pixel-level model (<see cref="PixelChangeModel"/>).</summary>
    public const string PixelKind = "pixel";

    /// <summary>The value of <see cref="Kind"/> for a change-type model (<see cref="ChangeTypeModel"/>).</summary>
    public const string TypeKind = "type";

    /// <summary>
    /// For a tile model: the change-type model version (a sibling folder, <see cref="TypeKind"/>) that types flagged tiles;
    /// null types them with <see cref="ChangeTypeRule"/>.
    /// </summary>
    public string? TypeModel { get; init; }

    /// <summary>For a change-type model: its class labels in class order (must equal <see cref="ChangeTypes.All"/>).</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>
    /// What the model scores: null or "tile" for a tile-level model on <see cref="TilePairFeatures"/>,
    /// <see cref="PixelKind"/> for a per-pixel model on <see cref="PixelFeatures"/> (its <see cref="Threshold"/> then
    /// applies to the smoothed pixel probability).
    /// </summary>
    public string? Kind { get; init; }

    /// <summary>
    /// For a pixel model used in a cascade: the tile-level model version whose score decides which tiles the pixel model
    /// looks at, and the tile probability at or above which it does (<see cref="CascadeTileThreshold"/>).
    /// </summary>
    public string? CascadeTileModel { get; init; }

    /// <summary>Tile probability at or above which the pixel model runs on a tile (see <see cref="CascadeTileModel"/>).</summary>
    public double? CascadeTileThreshold { get; init; }

    /// <summary>
    /// For a pixel model: the grid step at which features and ensemble are evaluated, the probability being interpolated
    /// in between (<see cref="PixelChangeModel.Stride"/>); null means 1, every pixel.
    /// </summary>
    public int? PixelStride { get; init; }

    /// <summary>
    /// For a pixel model: the coarse-pass probability from which the grid points around a coarse grid point are
    /// evaluated too, the others being interpolated (<see cref="PixelChangeModel.Gate"/>); null or 0 evaluates every grid point.
    /// </summary>
    public double? PixelGate { get; init; }

    /// <summary>Model version, e.g. "v1" (also the folder name).</summary>
    public required string Version { get; init; }

    /// <summary>Probability at or above which a tile is flagged, chosen on validation data.</summary>
    public required double Threshold { get; init; }

    /// <summary>
    /// For a pixel model: thresholds by ground sample distance, ascending by
    /// <see cref="ResolutionThreshold.MaxGroundSampleDistance"/>. A tile takes the first whose maximum its ground sample
    /// distance does not exceed; a tile beyond the last, or without georeferencing, takes <see cref="Threshold"/>. Null: <see cref="Threshold"/> everywhere.
    /// </summary>
    public IReadOnlyList<ResolutionThreshold>? ResolutionThresholds { get; init; }

    /// <summary>
    /// For a pixel model: ensembles trained on one dataset's resolution only, used instead of model.zip (with their own
    /// thresholds) for tiles in their ground-sample range (<see cref="PixelExpert"/>); ranges must not overlap. Null or
    /// empty: model.zip everywhere.
    /// </summary>
    public IReadOnlyList<ResolutionExpert>? ResolutionExperts { get; init; }

    /// <summary>
    /// For a pixel model: true when tiles no resolution expert serves take Otsu's threshold on their own probabilities,
    /// never below <see cref="Threshold"/> (<see cref="PixelChangeModel.AdaptiveThreshold"/>). Null or false: fixed thresholds.
    /// </summary>
    public bool? AdaptiveThreshold { get; init; }

    /// <summary>
    /// For a pixel model in a cascade: the rule that flags a tile the pixel model leaves unflagged when vehicles gather
    /// in it (<see cref="Detection.ObjectEvidence"/>); null: the pixel model's mask alone flags.
    /// </summary>
    public ObjectEvidence? ObjectEvidence { get; init; }

    /// <summary>How <see cref="Threshold"/> was chosen.</summary>
    public string? ThresholdRule { get; init; }

    /// <summary>Feature names in vector order; must equal the code's feature list.</summary>
    public required IReadOnlyList<string> FeatureNames { get; init; }

    /// <summary>What the model was trained on, in words.</summary>
    public required string TrainedOn { get; init; }

    /// <summary>When the model was created (UTC, ISO 8601).</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>The tool (and command) that created it.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>Seeds used per data split (train, validation, test).</summary>
    public IReadOnlyDictionary<string, ulong>? Seeds { get; init; }

    /// <summary>Pairs per data split.</summary>
    public IReadOnlyDictionary<string, int>? Pairs { get; init; }

    /// <summary>Trainer and its settings.</summary>
    public IReadOnlyDictionary<string, string>? Trainer { get; init; }

    /// <summary>Measured figures per split (e.g. "test" → "f1" → 0.93).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? Metrics { get; init; }

    /// <summary>
    /// SHA-256 (lower-case hex) of the model.zip the trainer wrote beside this manifest, or null (manifests written
    /// before types-v4 have none). The change-type loader refuses a model.zip whose hash differs.
    /// </summary>
    public string? ModelSha256 { get; init; }

    /// <summary>Reads a manifest file.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid manifest.</exception>
    public static ModelManifest Read(string path)
    {
        using var stream = File.OpenRead(path);
        try
        {
            return JsonSerializer.Deserialize<ModelManifest>(stream, JsonOptions)
                ?? throw new InvalidDataException($"Model manifest {path} is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Model manifest {path} is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the manifest as indented JSON.</summary>
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions) + "\n");
}
