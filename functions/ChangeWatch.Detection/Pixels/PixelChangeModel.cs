using System.Buffers;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// The pixel-level change model: <see cref="PixelFeatures"/> of a raster pair, the tree ensemble's calibrated
/// probability per pixel, then a <see cref="SmoothingRadius"/> box mean of the probabilities (measured to help: it
/// removes speckle). A pixel is change when its smoothed probability reaches <see cref="Threshold"/>. Works on any
/// raster size; give tiles at least <see cref="PixelFeatures.ContextRadius"/> pixels of context on each side so the
/// tile core sees the same windows as in training. Thread-safe.
/// </summary>
public sealed class PixelChangeModel
{
    /// <summary>Radius of the box mean applied to the probability map (5×5).</summary>
    public const int SmoothingRadius = 2;

    /// <summary>Wraps an ensemble with its pixel threshold.</summary>
    /// <param name="trees">The ensemble, trained on <see cref="PixelFeatures"/> planes.</param>
    /// <param name="threshold">Smoothed probability at or above which a pixel is change (0-1).</param>
    public PixelChangeModel(PixelTreeModel trees, double threshold)
    {
        ArgumentNullException.ThrowIfNull(trees);
        if (trees.MaxFeatureIndex >= PixelFeatures.Count)
        {
            throw new InvalidDataException($"The ensemble reads feature {trees.MaxFeatureIndex}, the code computes {PixelFeatures.Count}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threshold, 1.0);
        Trees = trees;
        Threshold = threshold;
    }

    /// <summary>The ensemble.</summary>
    public PixelTreeModel Trees { get; }

    /// <summary>Smoothed probability at or above which a pixel is change.</summary>
    public double Threshold { get; }

    /// <summary>
    /// Writes the smoothed change probability of every pixel (row-major, width × height; 0 where either date has no
    /// data) and returns the number of valid pixels.
    /// </summary>
    public int Score(TileRaster before, TileRaster after, Span<float> probability)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var n = before.Width * before.Height;
        if (probability.Length < n)
        {
            throw new ArgumentException("The probability span must hold width × height values.", nameof(probability));
        }

        var planes = ArrayPool<float>.Shared.Rent(PixelFeatures.Count * n);
        var valid = ArrayPool<byte>.Shared.Rent(n);
        var raw = ArrayPool<float>.Shared.Rent(n);
        var integral = ArrayPool<double>.Shared.Rent(BoxFilter.IntegralLength(before.Width, before.Height));
        try
        {
            var validCount = PixelFeatures.Compute(before, after, planes, valid);
            Trees.Predict(planes, n, valid, raw);
            BoxFilter.Mean(raw.AsSpan(0, n), before.Width, before.Height, SmoothingRadius, probability[..n], integral);
            for (var i = 0; i < n; i++)
            {
                if (valid[i] == 0)
                {
                    probability[i] = 0f;
                }
            }

            return validCount;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(integral);
            ArrayPool<float>.Shared.Return(raw);
            ArrayPool<byte>.Shared.Return(valid);
            ArrayPool<float>.Shared.Return(planes);
        }
    }
}
