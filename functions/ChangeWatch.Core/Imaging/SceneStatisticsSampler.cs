using ChangeWatch.Core.Domain;

namespace ChangeWatch.Core.Imaging;

/// <summary>
/// Accumulates <see cref="SceneStatistics"/> while a scene's tiles are read: samples the pixels of a regular lattice in
/// grid coordinates (x and y multiples of <see cref="LatticeStep"/>) inside each tile's core (cores do not overlap, so no
/// pixel is sampled twice), keeping a pixel when every band holds data. The step is the smallest that keeps the lattice
/// over the scene's placement at about <see cref="MaxSamples"/> points (at most (width/step + 2) × (height/step + 2)),
/// so the result does not depend on tile order, and memory is 4 bytes × bands × that many points (about 4.3 MB for 16
/// bands). Not thread-safe: feed it from one thread.
/// </summary>
public sealed class SceneStatisticsSampler
{
    /// <summary>Most lattice points over a scene's placement.</summary>
    public const int MaxSamples = 65536;

    private readonly float[][] _samples;
    private int _count;

    /// <summary>Prepares a sampler for a scene of <paramref name="bandCount"/> bands placed on <paramref name="placementWidth"/> × <paramref name="placementHeight"/> grid pixels.</summary>
    public SceneStatisticsSampler(int bandCount, int placementWidth, int placementHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bandCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(placementWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(placementHeight);
        var step = Math.Max(1, (int)Math.Ceiling(Math.Sqrt((double)placementWidth * placementHeight / MaxSamples)));
        LatticeStep = step;
        var capacity = (placementWidth / step + 2) * (placementHeight / step + 2);
        _samples = new float[bandCount][];
        for (var b = 0; b < bandCount; b++)
        {
            _samples[b] = new float[capacity];
        }
    }

    /// <summary>Distance between sampled pixels, grid pixels.</summary>
    public int LatticeStep { get; }

    /// <summary>Pixels sampled so far.</summary>
    public int Count => _count;

    /// <summary>
    /// Samples the lattice pixels of <paramref name="raster"/> (whose top-left pixel is grid pixel
    /// (<paramref name="window"/>.X, <paramref name="window"/>.Y)) that lie inside <paramref name="core"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The raster's band count is not the sampler's.</exception>
    public void Add(TileRaster raster, PixelWindow window, PixelWindow core)
    {
        ArgumentNullException.ThrowIfNull(raster);
        if (raster.BandCount != _samples.Length)
        {
            throw new ArgumentException($"The raster has {raster.BandCount} bands; the sampler was made for {_samples.Length}.", nameof(raster));
        }

        var x0 = Math.Max(core.X, window.X);
        var y0 = Math.Max(core.Y, window.Y);
        var x1 = Math.Min(core.X + core.Width, window.X + Math.Min(window.Width, raster.Width));
        var y1 = Math.Min(core.Y + core.Height, window.Y + Math.Min(window.Height, raster.Height));
        var step = LatticeStep;
        var firstX = CeilToMultiple(x0, step);
        for (var gy = CeilToMultiple(y0, step); gy < y1; gy += step)
        {
            var row = gy - window.Y;
            for (var gx = firstX; gx < x1; gx += step)
            {
                var col = gx - window.X;
                var complete = true;
                for (var b = 0; b < _samples.Length && complete; b++)
                {
                    complete = float.IsFinite(raster.Row(b, row)[col]);
                }

                if (!complete || _count == _samples[0].Length)
                {
                    continue;
                }

                for (var b = 0; b < _samples.Length; b++)
                {
                    _samples[b][_count] = raster.Row(b, row)[col];
                }

                _count++;
            }
        }
    }

    /// <summary>The statistics of what was sampled, or null when no pixel with data in every band was seen.</summary>
    public SceneStatistics? Build()
    {
        if (_count == 0)
        {
            return null;
        }

        var bands = new BandStatistics[_samples.Length];
        for (var b = 0; b < bands.Length; b++)
        {
            var sorted = _samples[b].AsSpan(0, _count);
            sorted.Sort();
            bands[b] = new BandStatistics(
                Quantile(sorted, 0.02), Quantile(sorted, 0.10), Quantile(sorted, 0.25), Quantile(sorted, 0.50),
                Quantile(sorted, 0.75), Quantile(sorted, 0.90), Quantile(sorted, 0.98));
        }

        return new SceneStatistics(bands, LatticeStep, _count);
    }

    /// <summary>Linear-interpolated quantile <paramref name="q"/> (0-1) of a sorted, non-empty sample.</summary>
    public static double Quantile(ReadOnlySpan<float> sorted, double q)
    {
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(sorted.Length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - (double)sorted[lo]) * (pos - lo);
    }

    private static int CeilToMultiple(int value, int step)
    {
        var r = ((value % step) + step) % step;
        return r == 0 ? value : value + step - r;
    }
}
