using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Detection;

/// <summary>
/// The pixel model's raster-level values over a scene pair (<see cref="PairRasterValues"/>: median and 90th percentile of
/// the change-vector magnitude, median of both dates' 5×5 luminance texture), sampled from its tile pairs: at the pixels
/// of a regular lattice in grid coordinates (x and y multiples of <see cref="LatticeStep"/>) inside each tile's core
/// where both dates hold data in every band, each date normalised by its scene's statistics exactly as
/// <see cref="PixelFeatures"/> normalises it, so the values are what <see cref="PixelFeatures.RasterValues"/> gives for the
/// whole pair up to sampling. The step keeps the lattice over the pixels announced at about <see cref="MaxSamples"/>
/// points; memory is 8 bytes a point (at most 4 × <see cref="MaxSamples"/> are kept, whatever is fed). With
/// <c>prepare</c>, each tile pair is first prepared as <see cref="CascadeChangeScorer"/> prepares it for scoring
/// (<see cref="TilePairPreparation"/>: the after tile co-registered, clouds and shadows masked). Thread-safe.
/// </summary>
public sealed class PairRasterSampler : IPairRasterSampler
{
    /// <summary>Lattice points aimed at over the pixels announced.</summary>
    public const int MaxSamples = 65536;

    private const int TextureRadius = 2;

    private readonly ScenePairStatistics _statistics;
    private readonly bool _prepare;
    private readonly Lock _lock = new();
    private readonly List<float> _magnitudes = [];
    private readonly List<float> _textures = [];
    private bool _unusable;

    private PairRasterSampler(ScenePairStatistics statistics, long pixels, bool prepare)
    {
        _statistics = statistics with { Raster = null };
        _prepare = prepare;
        LatticeStep = Math.Max(1, (int)Math.Ceiling(Math.Sqrt((double)Math.Max(1, pixels) / MaxSamples)));
    }

    /// <summary>Distance between sampled pixels, grid pixels.</summary>
    public int LatticeStep { get; }

    /// <summary>Points sampled so far.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _magnitudes.Count;
            }
        }
    }

    /// <summary>
    /// A sampler for a pair with these scene <paramref name="statistics"/> that will be fed about
    /// <paramref name="pixels"/> core pixels, or null when either date has no statistics (its tiles are then normalised
    /// on their own, and no value over the pair describes them).
    /// </summary>
    /// <param name="statistics">Both scenes' statistics, as the scorer is given them.</param>
    /// <param name="pixels">Core pixels that will be added (spaces the lattice).</param>
    /// <param name="prepare">Whether to prepare each tile pair first, as the cascade does before scoring.</param>
    public static PairRasterSampler? Create(ScenePairStatistics statistics, long pixels, bool prepare)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        return statistics.Before is null || statistics.After is null ? null : new PairRasterSampler(statistics, pixels, prepare);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The rasters differ in size or band count.</exception>
    public void Add(TileRaster before, TileRaster after, PixelWindow window, PixelWindow core)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Width != after.Width || before.Height != after.Height || before.BandCount != after.BandCount)
        {
            throw new ArgumentException("Before and after must have the same size and band count.", nameof(after));
        }

        var bands = Math.Min(before.BandCount, 4);
        var visible = Math.Min(bands, 3);
        Span<float> medianB = stackalloc float[3], inverseB = stackalloc float[3], medianA = stackalloc float[3], inverseA = stackalloc float[3];
        for (var k = 0; k < 3; k++)
        {
            // Bands 1-3 are the visible ones, fewer repeated (as PixelFeatures reads them).
            var b = Math.Min(k, visible - 1);
            if (DateNormalisation.SceneBand(_statistics.Before, before.BandCount, b) is not { } sb
                || DateNormalisation.SceneBand(_statistics.After, after.BandCount, b) is not { } sa)
            {
                // The statistics do not describe these rasters: tiles are normalised on their own, and so no pair value holds.
                lock (_lock)
                {
                    _unusable = true;
                }

                return;
            }

            (medianB[k], inverseB[k]) = DateNormalisation.SceneScale(sb);
            (medianA[k], inverseA[k]) = DateNormalisation.SceneScale(sa);
        }

        if (_prepare)
        {
            var prepared = TilePairPreparation.Prepare(before, after, _statistics);
            (before, after) = (prepared.Before, prepared.After);
        }

        var w = before.Width;
        var h = before.Height;
        var x0 = Math.Max(core.X, window.X);
        var y0 = Math.Max(core.Y, window.Y);
        var x1 = Math.Min(core.X + core.Width, window.X + w);
        var y1 = Math.Min(core.Y + core.Height, window.Y + h);
        var step = LatticeStep;
        var magnitudes = new List<float>();
        var textures = new List<float>();
        for (var gy = CeilToMultiple(y0, step); gy < y1; gy += step)
        {
            for (var gx = CeilToMultiple(x0, step); gx < x1; gx += step)
            {
                var (x, y) = (gx - window.X, gy - window.Y);
                if (!Valid(before, after, x, y))
                {
                    continue;
                }

                var sum = 0f;
                for (var k = 0; k < 3; k++)
                {
                    var b = Math.Min(k, visible - 1);
                    var d = (after.Row(b, y)[x] - medianA[k]) * inverseA[k] - (before.Row(b, y)[x] - medianB[k]) * inverseB[k];
                    sum += d * d;
                }

                magnitudes.Add(MathF.Sqrt(sum));
                textures.Add(0.5f * (Texture(before, x, y, visible, medianB, inverseB, after) + Texture(after, x, y, visible, medianA, inverseA, before)));
            }
        }

        lock (_lock)
        {
            var room = Math.Max(0, 4 * MaxSamples - _magnitudes.Count);
            _magnitudes.AddRange(magnitudes.Take(room));
            _textures.AddRange(textures.Take(room));
        }
    }

    /// <inheritdoc />
    public PairRasterValues? Build()
    {
        float[] magnitudes, textures;
        lock (_lock)
        {
            if (_unusable || _magnitudes.Count == 0)
            {
                return null;
            }

            (magnitudes, textures) = ([.. _magnitudes], [.. _textures]);
        }

        Array.Sort(magnitudes);
        Array.Sort(textures);
        return new PairRasterValues(RobustStats.Quantile(magnitudes, 0.5), RobustStats.Quantile(magnitudes, 0.9), RobustStats.Quantile(textures, 0.5));
    }

    /// <summary>Whether every band of both dates holds a finite value at (x, y).</summary>
    private static bool Valid(TileRaster before, TileRaster after, int x, int y)
    {
        for (var b = 0; b < before.BandCount; b++)
        {
            if (!float.IsFinite(before.Row(b, y)[x]) || !float.IsFinite(after.Row(b, y)[x]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Standard deviation of one date's luminance (mean of its three visible bands in z units; 0 where either date lacks
    /// data, as PixelFeatures counts such pixels) over the 5×5 window at (x, y), clipped at the raster's edges.
    /// </summary>
    private static float Texture(TileRaster date, int x, int y, int visible, ReadOnlySpan<float> median, ReadOnlySpan<float> inverse, TileRaster other)
    {
        double sum = 0, sumOfSquares = 0;
        var count = 0;
        for (var yy = Math.Max(0, y - TextureRadius); yy <= Math.Min(date.Height - 1, y + TextureRadius); yy++)
        {
            for (var xx = Math.Max(0, x - TextureRadius); xx <= Math.Min(date.Width - 1, x + TextureRadius); xx++)
            {
                var luminance = 0f;
                if (Valid(date, other, xx, yy))
                {
                    var z0 = (date.Row(0, yy)[xx] - median[0]) * inverse[0];
                    var z1 = (date.Row(Math.Min(1, visible - 1), yy)[xx] - median[1]) * inverse[1];
                    var z2 = (date.Row(Math.Min(2, visible - 1), yy)[xx] - median[2]) * inverse[2];
                    luminance = (z0 + z1 + z2) * (1f / 3f);
                }

                sum += luminance;
                sumOfSquares += (double)luminance * luminance;
                count++;
            }
        }

        var mean = (float)(sum / count);
        return MathF.Sqrt(Math.Max(0f, (float)(sumOfSquares / count) - mean * mean));
    }

    private static int CeilToMultiple(int value, int step)
    {
        var r = ((value % step) + step) % step;
        return r == 0 ? value : value + step - r;
    }
}
