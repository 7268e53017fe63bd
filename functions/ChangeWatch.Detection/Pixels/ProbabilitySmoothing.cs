using System.Buffers;
using System.Globalization;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>How a pixel model smooths its probability map before thresholding (<see cref="ProbabilitySmoothing"/>).</summary>
public enum SmoothingKind
{
    /// <summary>A box mean of the probabilities (removes speckle; blurs a change's outline as much as its inside).</summary>
    Box,

    /// <summary>
    /// The guided filter of He, Sun and Tang (2013) with the after date's luminance as the guide: a local linear fit of
    /// the probabilities to the guide, so the smoothed map follows the after image's edges (a new roof's outline) and
    /// stays flat inside uniform regions. Where the guide is flat it is a box mean of a box mean.
    /// </summary>
    Guided,
}

/// <summary>
/// The smoothing of a pixel model's probability map (<see cref="PixelChangeModel"/>, <see cref="PixelExpert"/>):
/// <see cref="Default"/>, a 5×5 box mean, is what every model before v9 used. A guided filter's guide is the mean of the
/// after raster's first three bands (visible), standardised over the tile's valid pixels so that
/// <see cref="Epsilon"/> is in units of the guide's variance: small values follow every edge, large ones approach the box
/// mean. Written in manifests as <see cref="Name"/> ("box:2", "guided:4:0.2"). Every instance is in range: the
/// constructor refuses any other, so nothing that holds one checks it again.
/// </summary>
public sealed record ProbabilitySmoothing
{
    /// <summary>A smoothing of <paramref name="kind"/> over a (2 <paramref name="radius"/> + 1)² window.</summary>
    /// <param name="kind">Box mean or guided filter.</param>
    /// <param name="radius">Window radius in pixels (1-<see cref="MaxRadius"/>).</param>
    /// <param name="epsilon">The guided filter's regularisation (&gt; 0, in units of the standardised guide's variance); 0 for a box mean.</param>
    /// <exception cref="ArgumentException">Radius outside 1-<see cref="MaxRadius"/>, a guided epsilon not positive and finite, a box epsilon not 0, or an unknown kind.</exception>
    public ProbabilitySmoothing(SmoothingKind kind, int radius, double epsilon = 0)
    {
        if (radius is < 1 or > MaxRadius
            || (kind == SmoothingKind.Guided && !(double.IsFinite(epsilon) && epsilon > 0))
            || (kind == SmoothingKind.Box && epsilon != 0)
            || !Enum.IsDefined(kind))
        {
            throw new ArgumentException($"Smoothing {kind} radius {radius} epsilon {epsilon} is out of range.");
        }

        Kind = kind;
        Radius = radius;
        Epsilon = epsilon;
    }

    /// <summary>Box mean or guided filter.</summary>
    public SmoothingKind Kind { get; }

    /// <summary>Window radius in pixels (1-<see cref="MaxRadius"/>): the window is 2r + 1 wide.</summary>
    public int Radius { get; }

    /// <summary>The guided filter's regularisation (&gt; 0, in units of the standardised guide's variance); 0 for a box mean.</summary>
    public double Epsilon { get; }

    /// <summary>Largest radius accepted.</summary>
    public const int MaxRadius = 32;

    /// <summary>The 5×5 box mean every model before v9 used, and the default wherever a manifest names none.</summary>
    public static ProbabilitySmoothing Default { get; } = new(SmoothingKind.Box, 2);

    /// <summary>The manifest form: "box:R" or "guided:R:EPS" (invariant culture).</summary>
    public string Name => Kind == SmoothingKind.Box
        ? string.Create(CultureInfo.InvariantCulture, $"box:{Radius}")
        : string.Create(CultureInfo.InvariantCulture, $"guided:{Radius}:{Epsilon:R}");

    /// <summary>Parses <see cref="Name"/>'s form.</summary>
    /// <exception cref="FormatException">Not "box:R" or "guided:R:EPS" with R in 1-<see cref="MaxRadius"/> and EPS a positive number.</exception>
    public static ProbabilitySmoothing Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(':');
        if (parts.Length >= 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var radius) && radius is >= 1 and <= MaxRadius)
        {
            if (parts.Length == 2 && parts[0] == "box")
            {
                return new ProbabilitySmoothing(SmoothingKind.Box, radius);
            }

            if (parts.Length == 3 && parts[0] == "guided"
                && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var epsilon) && double.IsFinite(epsilon) && epsilon > 0)
            {
                return new ProbabilitySmoothing(SmoothingKind.Guided, radius, epsilon);
            }
        }

        throw new FormatException($"'{text}' is not a probability smoothing: box:R or guided:R:EPS (R 1-{MaxRadius}, EPS > 0).");
    }

    /// <summary>
    /// Smooths <paramref name="raw"/> (width × height probabilities) into <paramref name="destination"/>, 0 where
    /// <paramref name="valid"/> is 0. <paramref name="integral"/> is scratch of at least
    /// <see cref="BoxFilter.IntegralLength"/>. Results lie in 0-1.
    /// </summary>
    /// <exception cref="ArgumentException">The spans are too short.</exception>
    internal void Apply(ReadOnlySpan<float> raw, TileRaster after, ReadOnlySpan<byte> valid, Span<float> destination, Span<double> integral)
    {
        ArgumentNullException.ThrowIfNull(after);
        var (w, h) = (after.Width, after.Height);
        var n = w * h;
        if (raw.Length < n || valid.Length < n || destination.Length < n || integral.Length < BoxFilter.IntegralLength(w, h))
        {
            throw new ArgumentException("The spans must hold width × height values (and the integral table).", nameof(raw));
        }

        if (Kind == SmoothingKind.Box)
        {
            BoxFilter.Mean(raw[..n], w, h, Radius, destination[..n], integral);
        }
        else
        {
            var scratch = ArrayPool<float>.Shared.Rent(5 * n);
            try
            {
                Guided(raw[..n], after, valid[..n], destination[..n], integral, scratch.AsSpan(0, 5 * n));
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }

        for (var i = 0; i < n; i++)
        {
            destination[i] = valid[i] == 0 ? 0f : Math.Clamp(destination[i], 0f, 1f);
        }
    }

    private void Guided(ReadOnlySpan<float> p, TileRaster after, ReadOnlySpan<byte> valid, Span<float> q, Span<double> integral, Span<float> scratch)
    {
        var (w, h) = (after.Width, after.Height);
        var n = w * h;
        var guide = scratch[..n];
        var meanGuide = scratch.Slice(n, n);
        var meanP = scratch.Slice(2 * n, n);
        var a = scratch.Slice(3 * n, n);
        var b = scratch.Slice(4 * n, n);
        Guide(after, valid, guide);

        BoxFilter.Mean(guide, w, h, Radius, meanGuide, integral);
        BoxFilter.Mean(p, w, h, Radius, meanP, integral);

        // Products in a and b, their means in place (a box mean reads its whole source into the table first).
        for (var i = 0; i < n; i++)
        {
            a[i] = guide[i] * guide[i];
            b[i] = guide[i] * p[i];
        }

        BoxFilter.Mean(a, w, h, Radius, a, integral);
        BoxFilter.Mean(b, w, h, Radius, b, integral);
        var epsilon = (float)Epsilon;
        for (var i = 0; i < n; i++)
        {
            var variance = a[i] - meanGuide[i] * meanGuide[i];
            var covariance = b[i] - meanGuide[i] * meanP[i];
            var slope = covariance / (Math.Max(variance, 0f) + epsilon);
            a[i] = slope;
            b[i] = meanP[i] - slope * meanGuide[i];
        }

        BoxFilter.Mean(a, w, h, Radius, a, integral);
        BoxFilter.Mean(b, w, h, Radius, b, integral);
        for (var i = 0; i < n; i++)
        {
            q[i] = a[i] * guide[i] + b[i];
        }
    }

    /// <summary>The after date's visible luminance standardised over the valid pixels (0 where invalid or flat).</summary>
    private static void Guide(TileRaster after, ReadOnlySpan<byte> valid, Span<float> guide)
    {
        var n = after.Width * after.Height;
        var bands = Math.Min(after.BandCount, 3);
        guide.Clear();
        for (var band = 0; band < bands; band++)
        {
            var values = after.Band(band);
            for (var i = 0; i < n; i++)
            {
                if (valid[i] != 0)
                {
                    guide[i] += values[i];
                }
            }
        }

        double sum = 0, squares = 0;
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            if (valid[i] != 0)
            {
                sum += guide[i];
                squares += (double)guide[i] * guide[i];
                count++;
            }
        }

        var mean = count > 0 ? sum / count : 0;
        var deviation = count > 0 ? Math.Sqrt(Math.Max(0, (squares / count) - (mean * mean))) : 0;
        var scale = deviation > 1e-9 ? (float)(1 / deviation) : 0f;
        for (var i = 0; i < n; i++)
        {
            guide[i] = valid[i] != 0 ? (float)((guide[i] - mean) * scale) : 0f;
        }
    }
}
