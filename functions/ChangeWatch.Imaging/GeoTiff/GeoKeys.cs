using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>Turns GeoTIFF tags into a <see cref="GeoReference"/>, following GDAL's conventions.</summary>
internal static class GeoKeys
{
    /// <summary>
    /// The georeference of a directory: transform from ModelPixelScale + ModelTiepoint or ModelTransformation, EPSG from
    /// ProjectedCSTypeGeoKey or GeographicTypeGeoKey; PixelIsPoint rasters are shifted by half a pixel as GDAL does.
    /// Null when the file has no transform or no EPSG code (user-defined systems are not interpreted).
    /// </summary>
    public static GeoReference? Read(TiffDirectory directory)
    {
        var transform = ReadTransform(directory);
        if (transform is not { } t)
        {
            return null;
        }

        var keys = directory.GetIntegers(TiffTags.GeoKeyDirectory);
        var epsg = 0;
        var rasterType = TiffTags.RasterPixelIsArea;
        if (keys is { Length: >= 4 })
        {
            var count = (int)Math.Min(keys[3], (ulong)((keys.Length - 4) / 4));
            ulong projected = 0, geographic = 0;
            for (var i = 0; i < count; i++)
            {
                var at = 4 + i * 4;
                var (id, location, value) = (keys[at], keys[at + 1], keys[at + 3]);
                if (location != 0)
                {
                    continue; // Only SHORT keys stored in place carry the codes read here.
                }

                switch (id)
                {
                    case TiffTags.ProjectedCSTypeKey: projected = value; break;
                    case TiffTags.GeographicTypeKey: geographic = value; break;
                    case TiffTags.GTRasterTypeKey: rasterType = (ushort)value; break;
                }
            }

            if (projected is > 0 and < TiffTags.UserDefined)
            {
                epsg = (int)projected;
            }
            else if (geographic is > 0 and < TiffTags.UserDefined)
            {
                epsg = (int)geographic;
            }
        }

        if (epsg == 0)
        {
            return null;
        }

        if (rasterType == TiffTags.RasterPixelIsPoint)
        {
            // GDAL: the tie point names the centre of the pixel, so the corner lies half a pixel up and left.
            t = t with
            {
                OriginX = t.OriginX - (t.PixelWidth * 0.5) - (t.RotationX * 0.5),
                OriginY = t.OriginY - (t.RotationY * 0.5) - (t.PixelHeight * 0.5),
            };
        }

        return new GeoReference(epsg, t);
    }

    private static GeoTransform? ReadTransform(TiffDirectory directory)
    {
        var matrix = directory.GetDoubles(TiffTags.ModelTransformation);
        if (matrix is { Length: >= 16 })
        {
            return Finite(new GeoTransform(matrix[3], matrix[0], matrix[1], matrix[7], matrix[4], matrix[5]));
        }

        var scale = directory.GetDoubles(TiffTags.ModelPixelScale);
        var tiepoint = directory.GetDoubles(TiffTags.ModelTiepoint);
        if (scale is not { Length: >= 2 } || tiepoint is not { Length: >= 6 } || scale[0] == 0 || scale[1] == 0)
        {
            return null;
        }

        var (i, j, x, y) = (tiepoint[0], tiepoint[1], tiepoint[3], tiepoint[4]);
        return Finite(new GeoTransform(x - (i * scale[0]), scale[0], 0, y + (j * scale[1]), 0, -scale[1]));
    }

    private static GeoTransform? Finite(GeoTransform t) =>
        double.IsFinite(t.OriginX) && double.IsFinite(t.OriginY) && double.IsFinite(t.PixelWidth)
        && double.IsFinite(t.PixelHeight) && double.IsFinite(t.RotationX) && double.IsFinite(t.RotationY)
            ? t
            : null;
}
