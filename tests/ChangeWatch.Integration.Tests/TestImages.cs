using ChangeWatch.Core.Imaging;
using ChangeWatch.Imaging.GeoTiff;

namespace ChangeWatch.Integration.Tests;

/// <summary>Images the tests upload, written from rasters held in memory.</summary>
public static class TestImages
{
    /// <summary>Writes every band of <paramref name="raster"/> to <paramref name="path"/> as a Float32 GeoTIFF without georeferencing (NaN kept as no data); returns the path.</summary>
    public static string WriteFloat32(TileRaster raster, string path)
    {
        ArgumentNullException.ThrowIfNull(raster);
        using var file = File.Create(path);
        GeoTiffWriter.Write(file, new GeoTiffWriteOptions
        {
            Width = raster.Width, Height = raster.Height, BandCount = raster.BandCount, SampleFormat = SampleFormat.Float32,
        }, (row, band, values) => raster.Row(band, row).CopyTo(values));
        return path;
    }
}
