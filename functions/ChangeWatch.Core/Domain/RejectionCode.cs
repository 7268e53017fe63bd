namespace ChangeWatch.Core.Domain;

/// <summary>
/// The stable codes that name why an input was rejected. They appear in rejection records, in logs and
/// in <c>changewatch status</c>; operators and providers key on them, so a code never changes meaning.
/// </summary>
public static class RejectionCode
{
    /// <summary>The blob is empty (zero bytes).</summary>
    public const string EmptyFile = "empty-file";

    /// <summary>The bytes are not a supported image format (PNG, JPEG, BMP, TIFF/GeoTIFF).</summary>
    public const string UnsupportedFormat = "unsupported-format";

    /// <summary>The file is larger than the configured byte limit.</summary>
    public const string TooLarge = "too-large";

    /// <summary>The image declares more pixels or bands than the configured limits allow.</summary>
    public const string TooManyPixels = "too-many-pixels";

    /// <summary>The image header is valid but its content could not be decoded (truncated or corrupt).</summary>
    public const string CorruptImage = "corrupt-image";

    /// <summary>A PNG, JPEG or BMP arrived without the <c>&lt;name&gt;.json</c> sidecar it needs.</summary>
    public const string MissingSidecar = "missing-sidecar";

    /// <summary>The sidecar JSON could not be parsed or lacks a required field.</summary>
    public const string InvalidSidecar = "invalid-sidecar";

    /// <summary>The blob name does not follow <c>incoming/{aoi}/{file}</c> or holds unsafe characters.</summary>
    public const string InvalidName = "invalid-name";

    /// <summary>The scene differs in size from its baseline and carries no georeferencing to align the two.</summary>
    public const string SizeMismatch = "size-mismatch";

    /// <summary>The scene and its baseline have different band counts.</summary>
    public const string BandMismatch = "band-mismatch";

    /// <summary>The scene cannot be put on the AOI grid: other coordinate system, rotation, or a pixel size more than <see cref="AoiGrid.MaxResampleRatio"/> times the grid's either way (closer pixel sizes are resampled).</summary>
    public const string GridMismatch = "grid-mismatch";

    /// <summary>The scene does not overlap its AOI grid's baseline.</summary>
    public const string NoOverlap = "no-overlap";

    /// <summary>A queue message could not be understood (bad JSON or an unknown version).</summary>
    public const string InvalidMessage = "invalid-message";

    /// <summary>Every code, for documentation and tests.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        EmptyFile, UnsupportedFormat, TooLarge, TooManyPixels, CorruptImage, MissingSidecar, InvalidSidecar,
        InvalidName, SizeMismatch, BandMismatch, GridMismatch, NoOverlap, InvalidMessage,
    ];
}
