using System.Buffers;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Imaging;

/// <summary>
/// A scene whose pixel size differs from its AOI grid's, seen on the grid: pixel (x, y) of this source is grid pixel
/// (placement.OffsetX + x, placement.OffsetY + y) of a <see cref="ScenePlacement.Resampled"/> placement, its value
/// interpolated bilinearly at the grid pixel's centre from the four nearest scene pixels. No-data (NaN) neighbours are
/// left out and the others' weights renormalised; a pixel with no valid neighbour, or outside the scene, is NaN.
/// Downsampling is plain bilinear (no area averaging), which is why <see cref="AoiGrid.MaxResampleRatio"/> bounds it.
/// Memory per read: the scene window under the requested one, at most (<see cref="AoiGrid.MaxResampleRatio"/> × side + 2)²
/// × bands floats from the pool. Not thread-safe when the scene source is not. Does not own the scene source.
/// </summary>
public sealed class GridResampledSource : IRasterSource
{
    private readonly IRasterSource _scene;
    private readonly (double Scale, double Offset) _x;
    private readonly (double Scale, double Offset) _y;

    /// <summary>
    /// Wraps <paramref name="scene"/> (georeferenced by <paramref name="sceneGeoReference"/>) placed on
    /// <paramref name="grid"/> at <paramref name="placement"/>, which <see cref="AoiGrid.Place"/> returned for it.
    /// </summary>
    public GridResampledSource(IRasterSource scene, GeoReference sceneGeoReference, AoiGrid grid, ScenePlacement placement)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(sceneGeoReference);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(placement);
        var g = (grid.GeoReference ?? throw new ArgumentException("The grid has no georeferencing.", nameof(grid))).Transform;
        var s = sceneGeoReference.Transform;
        _scene = scene;

        // Scene pixel-centre coordinate of this source's pixel x: linear in x.
        _x = (g.PixelWidth / s.PixelWidth, ((g.OriginX + ((placement.OffsetX + 0.5) * g.PixelWidth) - s.OriginX) / s.PixelWidth) - 0.5);
        _y = (g.PixelHeight / s.PixelHeight, ((g.OriginY + ((placement.OffsetY + 0.5) * g.PixelHeight) - s.OriginY) / s.PixelHeight) - 0.5);
        Info = scene.Info with
        {
            Width = placement.Width,
            Height = placement.Height,
            GeoReference = grid.GeoReferenceAt(placement.OffsetX, placement.OffsetY),
            NoData = null,
        };
    }

    /// <inheritdoc />
    public RasterInfo Info { get; }

    /// <inheritdoc />
    public void ReadWindow(PixelWindow window, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window.Width, nameof(window));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window.Height, nameof(window));
        var bands = Info.BandCount;
        var plane = checked(window.Width * window.Height);
        if (destination.Length < plane * bands)
        {
            throw new ArgumentException($"The destination holds {destination.Length} samples; the window needs {plane * bands}.", nameof(destination));
        }

        var (sx0, sx1) = Span(_x, window.X, window.Width);
        var (sy0, sy1) = Span(_y, window.Y, window.Height);
        var source = new PixelWindow(sx0, sy0, sx1 - sx0 + 2, sy1 - sy0 + 2);
        var sourcePlane = checked(source.Width * source.Height);
        var buffer = ArrayPool<float>.Shared.Rent(checked(sourcePlane * bands));
        var columns = ArrayPool<int>.Shared.Rent(window.Width);
        var fractions = ArrayPool<float>.Shared.Rent(window.Width);
        try
        {
            _scene.ReadWindow(source, buffer.AsSpan(0, sourcePlane * bands));
            for (var i = 0; i < window.Width; i++)
            {
                var sx = (_x.Scale * (window.X + i)) + _x.Offset;
                var c = (int)Math.Floor(sx);
                columns[i] = c - source.X;
                fractions[i] = (float)(sx - c);
            }

            for (var b = 0; b < bands; b++)
            {
                var samples = buffer.AsSpan(b * sourcePlane, sourcePlane);
                for (var j = 0; j < window.Height; j++)
                {
                    var sy = (_y.Scale * (window.Y + j)) + _y.Offset;
                    var r = (int)Math.Floor(sy);
                    var fy = (float)(sy - r);
                    var upper = samples.Slice((r - source.Y) * source.Width, source.Width);
                    var lower = samples.Slice((r - source.Y + 1) * source.Width, source.Width);
                    var target = destination.Slice((b * plane) + (j * window.Width), window.Width);
                    for (var i = 0; i < window.Width; i++)
                    {
                        var (c, fx) = (columns[i], fractions[i]);
                        target[i] = Blend(upper[c], upper[c + 1], lower[c], lower[c + 1], fx, fy);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
            ArrayPool<int>.Shared.Return(columns);
            ArrayPool<float>.Shared.Return(fractions);
        }
    }

    /// <summary>Does nothing: the scene source belongs to the caller.</summary>
    public void Dispose()
    {
    }

    /// <summary>First and last scene pixel (floor of the centre coordinate) under <paramref name="count"/> pixels from <paramref name="start"/>.</summary>
    private static (int First, int Last) Span((double Scale, double Offset) axis, int start, int count)
    {
        var a = (axis.Scale * start) + axis.Offset;
        var b = (axis.Scale * (start + count - 1)) + axis.Offset;
        return ((int)Math.Floor(Math.Min(a, b)), (int)Math.Floor(Math.Max(a, b)));
    }

    private static float Blend(float v00, float v01, float v10, float v11, float fx, float fy)
    {
        float sum = 0, weight = 0;
        Add(v00, (1 - fx) * (1 - fy), ref sum, ref weight);
        Add(v01, fx * (1 - fy), ref sum, ref weight);
        Add(v10, (1 - fx) * fy, ref sum, ref weight);
        Add(v11, fx * fy, ref sum, ref weight);
        return weight > 1e-6f ? sum / weight : float.NaN;
    }

    private static void Add(float value, float w, ref float sum, ref float weight)
    {
        if (!float.IsNaN(value) && w > 0)
        {
            sum += value * w;
            weight += w;
        }
    }
}
