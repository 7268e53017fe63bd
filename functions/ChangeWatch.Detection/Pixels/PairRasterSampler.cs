using System.Buffers;
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

        // The lattice points inside the core (tile coordinates), and the region their 5×5 windows read.
        var (w, h, step) = (before.Width, before.Height, LatticeStep);
        var firstX = CeilToMultiple(Math.Max(core.X, window.X), step) - window.X;
        var firstY = CeilToMultiple(Math.Max(core.Y, window.Y), step) - window.Y;
        var endX = Math.Min(core.X + core.Width, window.X + w) - window.X;
        var endY = Math.Min(core.Y + core.Height, window.Y + h) - window.Y;
        if (firstX >= endX || firstY >= endY)
        {
            return;
        }

        var (rx0, ry0) = (Math.Max(0, firstX - TextureRadius), Math.Max(0, firstY - TextureRadius));
        var (rw, rh) = (Math.Min(w, endX + TextureRadius) - rx0, Math.Min(h, endY + TextureRadius) - ry0);
        var floats = ArrayPool<float>.Shared.Rent(2 * rw * rh);
        var valid = ArrayPool<byte>.Shared.Rent(w * h);
        var magnitudes = new List<float>();
        var textures = new List<float>();
        try
        {
            var luminanceB = floats.AsSpan(0, rw * rh);
            var luminanceA = floats.AsSpan(rw * rh, rw * rh);
            DateNormalisation.MarkValid(before, after, valid);
            for (var ry = 0; ry < rh; ry++)
            {
                var y = ry0 + ry;
                var row = valid.AsSpan(y * w + rx0, rw);
                Luminance(before, y, rx0, visible, medianB, inverseB, row, luminanceB.Slice(ry * rw, rw));
                Luminance(after, y, rx0, visible, medianA, inverseA, row, luminanceA.Slice(ry * rw, rw));
            }

            for (var y = firstY; y < endY; y += step)
            {
                for (var x = firstX; x < endX; x += step)
                {
                    if (valid[y * w + x] == 0)
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
                    textures.Add(0.5f * (Texture(luminanceB, rw, rh, x - rx0, y - ry0) + Texture(luminanceA, rw, rh, x - rx0, y - ry0)));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(valid);
            ArrayPool<float>.Shared.Return(floats);
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

    /// <summary>
    /// One date's luminance along row <paramref name="y"/> from <paramref name="x0"/>: the mean of its three visible bands
    /// in z units, summed in band order as PixelFeatures sums them; 0 where either date lacks data, as PixelFeatures counts such pixels.
    /// </summary>
    private static void Luminance(TileRaster date, int y, int x0, int visible, ReadOnlySpan<float> median, ReadOnlySpan<float> inverse, ReadOnlySpan<byte> valid, Span<float> luminance)
    {
        luminance.Clear();
        for (var k = 0; k < 3; k++)
        {
            var row = date.Row(Math.Min(k, visible - 1), y).Slice(x0, luminance.Length);
            var (m, inv) = (median[k], inverse[k]);
            for (var i = 0; i < luminance.Length; i++)
            {
                luminance[i] += valid[i] != 0 ? (row[i] - m) * inv : 0f;
            }
        }

        for (var i = 0; i < luminance.Length; i++)
        {
            luminance[i] *= 1f / 3f;
        }
    }

    /// <summary>Standard deviation of a luminance plane over the 5×5 window at (x, y), clipped at the plane's edges.</summary>
    private static float Texture(ReadOnlySpan<float> luminance, int width, int height, int x, int y)
    {
        double sum = 0, sumOfSquares = 0;
        var (left, right) = (Math.Max(0, x - TextureRadius), Math.Min(width - 1, x + TextureRadius));
        var (top, bottom) = (Math.Max(0, y - TextureRadius), Math.Min(height - 1, y + TextureRadius));
        for (var yy = top; yy <= bottom; yy++)
        {
            foreach (var v in luminance.Slice(yy * width + left, right - left + 1))
            {
                sum += v;
                sumOfSquares += (double)v * v;
            }
        }

        var count = (right - left + 1) * (bottom - top + 1);
        var mean = (float)(sum / count);
        return MathF.Sqrt(Math.Max(0f, (float)(sumOfSquares / count) - mean * mean));
    }

    private static int CeilToMultiple(int value, int step)
    {
        var r = ((value % step) + step) % step;
        return r == 0 ? value : value + step - r;
    }
}
