using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Imaging;

/// <summary>
/// One multi-band raster made of several sources read side by side (a band-per-file product such as Sentinel-2's
/// B02, B03, B04, B08): bands come in the order of the sources, each source's bands in its own order. Every source must
/// have the same size and the same georeferencing (EPSG and geotransform within 1e-6 of a pixel), else
/// <see cref="Create"/> rejects the set. Each source's no-data already reads as NaN, so the stack declares none. Owns
/// its sources (disposes them); as thread-safe as they are. Memory: none beyond theirs.
/// </summary>
public sealed class BandStackSource : IRasterSource
{
    private readonly IRasterSource[] _sources;

    private BandStackSource(IRasterSource[] sources, RasterInfo info)
    {
        _sources = sources;
        Info = info;
    }

    /// <inheritdoc />
    public RasterInfo Info { get; }

    /// <summary>
    /// Stacks <paramref name="sources"/> (at least one). Throws <see cref="RejectedInputException"/> with
    /// <see cref="RejectionCode.BandMismatch"/> when their sizes differ and <see cref="RejectionCode.GridMismatch"/> when
    /// their georeferencing differs (one has it and another not, other EPSG, other geotransform). On rejection the
    /// caller still owns the sources.
    /// </summary>
    public static BandStackSource Create(IReadOnlyList<IRasterSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfZero(sources.Count);
        var first = sources[0].Info;
        for (var i = 1; i < sources.Count; i++)
        {
            var other = sources[i].Info;
            if (other.Width != first.Width || other.Height != first.Height)
            {
                throw new RejectedInputException(RejectionCode.BandMismatch,
                    $"Band file {i + 1} is {other.Width}×{other.Height} px but band file 1 is {first.Width}×{first.Height} px; a band-per-file scene needs every band on the same grid.");
            }

            if (!SameGrid(first.GeoReference, other.GeoReference))
            {
                throw new RejectedInputException(RejectionCode.GridMismatch,
                    $"Band file {i + 1} is georeferenced differently from band file 1 ({Describe(other.GeoReference)} against {Describe(first.GeoReference)}).");
            }
        }

        var bands = sources.Sum(s => s.Info.BandCount);
        return new BandStackSource([.. sources], first with { BandCount = bands, NoData = null });
    }

    /// <inheritdoc />
    public void ReadWindow(PixelWindow window, Span<float> destination)
    {
        var plane = checked(window.Width * window.Height);
        var offset = 0;
        foreach (var source in _sources)
        {
            var length = plane * source.Info.BandCount;
            source.ReadWindow(window, destination.Slice(offset, length));
            offset += length;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var source in _sources)
        {
            source.Dispose();
        }
    }

    private static bool SameGrid(GeoReference? a, GeoReference? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        var (s, t) = (a.Transform, b.Transform);
        var tolerance = 1e-6 * Math.Max(Math.Abs(s.PixelWidth), Math.Abs(s.PixelHeight));
        return a.Epsg == b.Epsg
            && Math.Abs(s.OriginX - t.OriginX) <= tolerance && Math.Abs(s.OriginY - t.OriginY) <= tolerance
            && Math.Abs(s.PixelWidth - t.PixelWidth) <= tolerance && Math.Abs(s.PixelHeight - t.PixelHeight) <= tolerance
            && Math.Abs(s.RotationX - t.RotationX) <= tolerance && Math.Abs(s.RotationY - t.RotationY) <= tolerance;
    }

    private static string Describe(GeoReference? geo) =>
        geo is null ? "none" : $"EPSG:{geo.Epsg}, origin {geo.Transform.OriginX:G10} {geo.Transform.OriginY:G10}, pixel {geo.Transform.PixelWidth:G6}";
}
