using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Domain;

/// <summary>
/// What a provider says about a scene, from the sidecar <c>&lt;name&gt;.json</c> (required for PNG/JPEG/BMP,
/// optional for GeoTIFF, where it overrides the file's tags).
/// </summary>
public sealed record SceneMetadata
{
    /// <summary>When the image was acquired (UTC). Required in a sidecar.</summary>
    public required DateTimeOffset AcquiredAt { get; init; }

    /// <summary>Provider name, as given (untrusted text: escape before display).</summary>
    public string? Provider { get; init; }

    /// <summary>Sensor or platform name, as given (untrusted text).</summary>
    public string? Sensor { get; init; }

    /// <summary>Ground sample distance in metres per pixel, if known.</summary>
    public double? GroundSampleDistance { get; init; }

    /// <summary>Bounds of the image in map coordinates, if given: then the image is georeferenced from them.</summary>
    public SceneBounds? Bounds { get; init; }

    /// <summary>
    /// EPSG code of the map coordinates in a world file beside the image (<see cref="WorldFile"/>), which carries none;
    /// required when the image is georeferenced by a world file.
    /// </summary>
    public int? Epsg { get; init; }
}

/// <summary>Map-coordinate bounds of an image (outer edges of the edge pixels) in the given EPSG system.</summary>
public sealed record SceneBounds(int Epsg, double MinX, double MinY, double MaxX, double MaxY)
{
    /// <summary>The north-up geotransform that maps an image of the given size onto these bounds.</summary>
    public GeoReference ToGeoReference(int width, int height) =>
        new(Epsg, new GeoTransform(MinX, (MaxX - MinX) / width, 0, MaxY, 0, -(MaxY - MinY) / height));
}
