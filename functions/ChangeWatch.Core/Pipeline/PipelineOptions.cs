using System.ComponentModel.DataAnnotations;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// Pipeline settings, bound from configuration section <see cref="Section"/> (app settings <c>ChangeWatch__Name</c>)
/// and validated on start. Every property is listed with its default in <c>local.settings.sample.json</c> and
/// explained in <c>docs/configuration.md</c>.
/// </summary>
public sealed class PipelineOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "ChangeWatch";

    /// <summary>Tile width and height in pixels.</summary>
    [Range(64, 2048)]
    public int TileSize { get; set; } = 256;

    /// <summary>Pixels of context shared by neighbouring tiles (even, less than half the tile size).</summary>
    [Range(0, 512)]
    public int TileOverlap { get; set; } = 32;

    /// <summary>Tiles per <c>tile-batches</c> message.</summary>
    [Range(1, 256)]
    public int BatchSize { get; set; } = 16;

    /// <summary>Largest accepted upload in bytes (checked before download).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Largest accepted width × height, checked from the header.</summary>
    [Range(1, long.MaxValue)]
    public long MaxPixels { get; set; } = 400_000_000;

    /// <summary>Largest accepted band count.</summary>
    [Range(1, 64)]
    public int MaxBands { get; set; } = 16;

    /// <summary>Folder holding model versions (<c>{ModelDirectory}/{ModelVersion}/model.zip</c>). Relative paths resolve against the app's base directory.</summary>
    [Required]
    public string ModelDirectory { get; set; } = "models";

    /// <summary>Model version to load.</summary>
    [Required]
    public string ModelVersion { get; set; } = "v1";

    /// <summary>Flag threshold override (0-1); when unset, the threshold stored with the model is used.</summary>
    [Range(0.0, 1.0)]
    public double? FlagThreshold { get; set; }

    /// <summary>
    /// A tile with more than this masked fraction (no data in a date, clouds, cloud shadow, as a share of the pixels an
    /// image covers in either date: a window's part past the scene's edge is not counted) is "not assessable".
    /// </summary>
    [Range(0.0, 1.0)]
    public double MaxMaskedFraction { get; set; } = 0.5;

    /// <summary>
    /// Seconds a delivery's claim on a once-only step (enqueueing a scene's tile batches, building and announcing its
    /// report) lasts before another delivery may take it over, presuming the holder dead. A delivery that finds the claim
    /// held fails and is retried (host.json: every 30 s, 5 deliveries), so keep it about as long as that retry window and
    /// longer than a report takes to build; the holder renews it just before it announces.
    /// </summary>
    [Range(5, 3600)]
    public int ClaimLeaseSeconds { get; set; } = 120;

    /// <summary>
    /// Seconds a delivery that finds a once-only step's claim held by another live delivery (the report: two batches of a
    /// scene arriving together; the tile batches: two deliveries of one upload) waits for that one to finish, re-reading
    /// the claim twice a second, before it fails to be retried; 0 fails at once. A holder that finishes meanwhile ends the wait quietly, so the usual race leaves no
    /// failed execution in the logs.
    /// </summary>
    [Range(0, 300)]
    public int ClaimWaitSeconds { get; set; } = 20;

    /// <summary>
    /// Seconds an upload must have been in <c>incoming</c> before the reconcile re-enqueues it: younger uploads are left to
    /// the blob trigger, whose own message may still be on its way.
    /// </summary>
    [Range(0, 86_400)]
    public int ReconcileMinAgeSeconds { get; set; } = 300;

    /// <summary>
    /// Seconds between the local host's reconcile runs after the first (which runs a minute after start); 0 runs it only
    /// at start. The runs repair uploads the polling blob trigger missed.
    /// </summary>
    [Range(0, 86_400)]
    public int ReconcileIntervalSeconds { get; set; } = 120;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TileOverlap % 2 != 0 || TileOverlap * 2 >= TileSize)
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(TileOverlap)} must be even and less than half of {nameof(TileSize)}.",
                [nameof(TileOverlap)]);
        }
    }
}
