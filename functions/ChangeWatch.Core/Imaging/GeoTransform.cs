namespace ChangeWatch.Core.Imaging;

/// <summary>
/// The affine map from pixel (column, row) to map coordinates, GDAL's convention:
/// <c>x = OriginX + col * PixelWidth + row * RotationX</c>, <c>y = OriginY + col * RotationY + row * PixelHeight</c>.
/// Pixel (0, 0) is the top-left corner of the top-left pixel; <see cref="PixelHeight"/> is negative for north-up images.
/// </summary>
public readonly record struct GeoTransform(
    double OriginX, double PixelWidth, double RotationX, double OriginY, double RotationY, double PixelHeight)
{
    /// <summary>True when the transform has no rotation terms.</summary>
    public bool IsNorthUp => RotationX == 0 && RotationY == 0;

    /// <summary>Map coordinates of a pixel-space point (column, row), fractional allowed.</summary>
    public (double X, double Y) PixelToMap(double col, double row) =>
        (OriginX + col * PixelWidth + row * RotationX, OriginY + col * RotationY + row * PixelHeight);

    /// <summary>Pixel-space point of map coordinates; only for north-up transforms.</summary>
    public (double Col, double Row) MapToPixel(double x, double y)
    {
        if (!IsNorthUp)
        {
            throw new InvalidOperationException("Rotated geotransforms are not supported.");
        }

        return ((x - OriginX) / PixelWidth, (y - OriginY) / PixelHeight);
    }

    /// <summary>The transform of a window starting at (<paramref name="col"/>, <paramref name="row"/>).</summary>
    public GeoTransform Offset(int col, int row)
    {
        var (x, y) = PixelToMap(col, row);
        return this with { OriginX = x, OriginY = y };
    }
}

/// <summary>Georeferencing of a raster: its coordinate system (EPSG code) and pixel-to-map transform.</summary>
/// <param name="Epsg">EPSG code of the coordinate reference system (e.g. 32633 for UTM 33N, 4326 for WGS84).</param>
/// <param name="Transform">Pixel-to-map affine transform.</param>
public sealed record GeoReference(int Epsg, GeoTransform Transform);
