using System.Buffers;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Reporting.Imagery;

/// <summary>
/// A linked linear stretch of the displayed bands (<see cref="DisplayBands"/>) to 8 bits: the lowest of the bands' 2nd
/// percentiles maps to 0 and the highest of their 98th percentiles to 255, clamped, the same map for every band, so that
/// colour balance is kept (a per-band stretch turns a low-contrast blue band of vegetated land magenta). Fitted over one or several rasters together, so that images stretched with the same
/// instance (a site's before and after chips) are directly comparable. A pixel with NaN in any displayed band is black;
/// a band with a single value shows mid-grey.
/// </summary>
internal sealed class DisplayStretch
{
    /// <summary>Fraction of samples at or below the value shown as 0.</summary>
    public const double LowPercentile = 0.02;

    /// <summary>Fraction of samples at or below the value shown as 255.</summary>
    public const double HighPercentile = 0.98;

    private readonly int[] _bands;
    private readonly float[] _low;
    private readonly float[] _high;

    private DisplayStretch(int bandCount, int[] bands, float[] low, float[] high)
    {
        BandCount = bandCount;
        _bands = bands;
        _low = low;
        _high = high;
    }

    /// <summary>Band count of the rasters this stretch was fitted to.</summary>
    public int BandCount { get; }

    /// <summary>Value shown as 0 in display channel <paramref name="channel"/> (0 red, 1 green, 2 blue).</summary>
    public float Low(int channel) => _low[channel];

    /// <summary>Value shown as 255 in display channel <paramref name="channel"/>.</summary>
    public float High(int channel) => _high[channel];

    /// <summary>Fits the stretch to the finite samples of all <paramref name="rasters"/>, which share a band count.</summary>
    public static DisplayStretch Fit(params IReadOnlyList<TileRaster> rasters)
    {
        ArgumentNullException.ThrowIfNull(rasters);
        if (rasters.Count == 0 || rasters.Any(r => r.BandCount != rasters[0].BandCount))
        {
            throw new ArgumentException("Fit needs at least one raster, all with the same band count.", nameof(rasters));
        }

        var bandCount = rasters[0].BandCount;
        var (red, green, blue) = DisplayBands.For(bandCount);
        int[] bands = [red, green, blue];
        var low = new float[3];
        var high = new float[3];
        var total = rasters.Sum(r => r.Width * r.Height);
        var buffer = ArrayPool<float>.Shared.Rent(total);
        try
        {
            for (var channel = 0; channel < 3; channel++)
            {
                if (channel > 0 && bands[channel] == bands[channel - 1])
                {
                    low[channel] = low[channel - 1];
                    high[channel] = high[channel - 1];
                    continue;
                }

                var count = 0;
                foreach (var raster in rasters)
                {
                    foreach (var value in raster.Band(bands[channel]))
                    {
                        if (float.IsFinite(value))
                        {
                            buffer[count++] = value;
                        }
                    }
                }

                var finite = buffer.AsSpan(0, count);
                finite.Sort();
                low[channel] = Percentile(finite, LowPercentile);
                high[channel] = Percentile(finite, HighPercentile);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }

        Array.Fill(low, low.Min());
        Array.Fill(high, high.Max());
        return new DisplayStretch(bandCount, bands, low, high);
    }

    /// <summary>
    /// Writes <paramref name="raster"/> as packed 8-bit RGB (3 bytes a pixel, row-major) into <paramref name="rgb"/>,
    /// which holds at least width × height × 3 bytes. The raster must have <see cref="BandCount"/> bands.
    /// </summary>
    public void Render(TileRaster raster, Span<byte> rgb)
    {
        ArgumentNullException.ThrowIfNull(raster);
        if (raster.BandCount != BandCount)
        {
            throw new ArgumentException($"This stretch was fitted to {BandCount}-band rasters.", nameof(raster));
        }

        var width = raster.Width;
        for (var y = 0; y < raster.Height; y++)
        {
            Span<float> r = raster.Row(_bands[0], y);
            Span<float> g = raster.Row(_bands[1], y);
            Span<float> b = raster.Row(_bands[2], y);
            var row = rgb.Slice(y * width * 3, width * 3);
            for (var x = 0; x < width; x++)
            {
                if (float.IsNaN(r[x]) || float.IsNaN(g[x]) || float.IsNaN(b[x]))
                {
                    row[3 * x] = row[3 * x + 1] = row[3 * x + 2] = 0;
                    continue;
                }

                row[3 * x] = ToByte(r[x], 0);
                row[3 * x + 1] = ToByte(g[x], 1);
                row[3 * x + 2] = ToByte(b[x], 2);
            }
        }
    }

    private byte ToByte(float value, int channel)
    {
        var lo = _low[channel];
        var hi = _high[channel];
        if (!(hi > lo))
        {
            return 128;
        }

        var scaled = (value - lo) / (hi - lo) * 255f;
        return (byte)Math.Clamp(MathF.Round(scaled), 0f, 255f);
    }

    private static float Percentile(ReadOnlySpan<float> sorted, double fraction)
    {
        if (sorted.IsEmpty)
        {
            return 0;
        }

        var position = fraction * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return (float)(sorted[below] + (position - below) * (sorted[above] - sorted[below]));
    }
}
