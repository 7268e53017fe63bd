using ChangeWatch.Core.Imaging;
using ChangeWatch.Imaging.GeoTiff;

namespace ChangeWatch.Imaging.Tests;

/// <summary>Test data: deterministic sample values that every sample format represents exactly.</summary>
internal static class Some
{
    public static readonly GeoReference UtmGeo = new(32633, new GeoTransform(500_000, 10, 0, 5_000_000, 0, -10));

    /// <summary>The value written at (row, col, band): exact in the format, varied enough to catch swapped bands or offsets.</summary>
    public static float Value(SampleFormat format, int row, int col, int band) => format switch
    {
        SampleFormat.UInt8 => ((row * 7) + (col * 3) + (band * 50)) % 256,
        SampleFormat.UInt16 => ((row * 701) + (col * 13) + (band * 5003)) % 65536,
        SampleFormat.Int16 => (((row * 701) + (col * 13) + (band * 5003)) % 65536) - 32768,
        _ => (row * 1.25f) - (col * 0.001f) + (band * 1000.5f) + ((row * col % 17) == 0 ? 1e-7f : 0f),
    };

    public static byte[] WriteTiff(GeoTiffWriteOptions options, Func<int, int, int, float>? value = null)
    {
        value ??= (row, col, band) => Value(options.SampleFormat, row, col, band);
        using var stream = new MemoryStream();
        GeoTiffWriter.Write(stream, options, (row, band, values) =>
        {
            for (var x = 0; x < values.Length; x++)
            {
                values[x] = value(row, x, band);
            }
        });
        return stream.ToArray();
    }

    public static GeoTiffWriteOptions Options(int width = 70, int height = 45, int bands = 3, SampleFormat format = SampleFormat.UInt16) =>
        new() { Width = width, Height = height, BandCount = bands, SampleFormat = format };
}
