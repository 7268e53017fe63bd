using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Domain;

/// <summary>
/// The tile grid of an area of interest, fixed when its first scene arrives and shared by every later scene, so that
/// tile (r, c) of any two scenes covers the same ground.
/// <para>
/// Grid pixel (0, 0) is the first scene's top-left pixel. Tile (r, c) owns the <em>core</em> square of grid pixels
/// <c>[c·S, (c+1)·S) × [r·S, (r+1)·S)</c> with stride <c>S = TileSize − Overlap</c>, and is read from the larger window that
/// adds <c>Overlap/2</c> pixels of context on every side. Cores tile the plane exactly, so a detection belongs to exactly
/// one tile: the one whose core holds it.
/// </para>
/// </summary>
/// <param name="Aoi">AOI name.</param>
/// <param name="TileSize">Tile width and height in pixels (256).</param>
/// <param name="Overlap">Context shared by neighbouring tiles, in pixels (even, less than half the tile size).</param>
/// <param name="GeoReference">The grid's georeferencing (the first scene's), or null for an un-georeferenced AOI.</param>
/// <param name="Width">First scene's width; un-georeferenced scenes must match it.</param>
/// <param name="Height">First scene's height; un-georeferenced scenes must match it.</param>
public sealed record AoiGrid(string Aoi, int TileSize, int Overlap, GeoReference? GeoReference, int Width, int Height)
{
    /// <summary>Distance between neighbouring tiles' origins.</summary>
    public int Stride => TileSize - Overlap;

    /// <summary>The window (in grid pixels) read for tile <paramref name="tile"/>, context included.</summary>
    public PixelWindow TileWindow(TileId tile) =>
        new(tile.Col * Stride - Overlap / 2, tile.Row * Stride - Overlap / 2, TileSize, TileSize);

    /// <summary>The core square (in grid pixels) owned by <paramref name="tile"/>.</summary>
    public PixelWindow CoreWindow(TileId tile) => new(tile.Col * Stride, tile.Row * Stride, Stride, Stride);

    /// <summary>The tile whose core holds grid pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public TileId TileAt(int x, int y) => new(FloorDiv(y, Stride), FloorDiv(x, Stride));

    /// <summary>Every tile whose core intersects a scene placed at <paramref name="placement"/>, row-major.</summary>
    public IReadOnlyList<TileId> TilesCovering(ScenePlacement placement)
    {
        ArgumentNullException.ThrowIfNull(placement);
        var first = TileAt(placement.OffsetX, placement.OffsetY);
        var last = TileAt(placement.OffsetX + placement.Width - 1, placement.OffsetY + placement.Height - 1);
        var tiles = new List<TileId>((last.Row - first.Row + 1) * (last.Col - first.Col + 1));
        for (var r = first.Row; r <= last.Row; r++)
        {
            for (var c = first.Col; c <= last.Col; c++)
            {
                tiles.Add(new TileId(r, c));
            }
        }

        return tiles;
    }

    /// <summary>The georeferencing of a window that starts at grid pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public GeoReference? GeoReferenceAt(int x, int y) =>
        GeoReference is null ? null : GeoReference with { Transform = GeoReference.Transform.Offset(x, y) };

    /// <summary>Largest ratio between a scene's pixel size and the grid's that is resampled rather than rejected.</summary>
    public const double MaxResampleRatio = 4;

    /// <summary>
    /// Places a scene on this grid. Georeferenced scenes must share the grid's EPSG code and be north-up: with the grid's
    /// pixel size (within 0.1 %) they are offset by whole pixels (the nearest); with another pixel size, at most
    /// <see cref="MaxResampleRatio"/> times larger or smaller, the placement covers the scene's footprint in grid pixels and
    /// is marked <see cref="ScenePlacement.Resampled"/> (read it through <see cref="Imaging.GridResampledSource"/>).
    /// Un-georeferenced scenes must have the grid's exact size.
    /// Throws <see cref="RejectedInputException"/> with <see cref="RejectionCode.GridMismatch"/> (other EPSG, rotation,
    /// flipped axes or a pixel-size ratio beyond the limit), <see cref="RejectionCode.SizeMismatch"/> or
    /// <see cref="RejectionCode.NoOverlap"/>.
    /// </summary>
    public ScenePlacement Place(int width, int height, GeoReference? scene)
    {
        if (GeoReference is null || scene is null)
        {
            if (width != Width || height != Height)
            {
                throw new RejectedInputException(RejectionCode.SizeMismatch,
                    $"The scene is {width}×{height} px but the AOI's first scene is {Width}×{Height} px, and without georeferencing on both the two cannot be aligned.");
            }

            return new ScenePlacement(0, 0, width, height);
        }

        var g = GeoReference.Transform;
        var s = scene.Transform;
        var (ratioX, ratioY) = (s.PixelWidth / g.PixelWidth, s.PixelHeight / g.PixelHeight);
        if (scene.Epsg != GeoReference.Epsg || !g.IsNorthUp || !s.IsNorthUp || !double.IsFinite(ratioX) || !double.IsFinite(ratioY)
            || ratioX is < 1 / MaxResampleRatio or > MaxResampleRatio || ratioY is < 1 / MaxResampleRatio or > MaxResampleRatio)
        {
            throw new RejectedInputException(RejectionCode.GridMismatch,
                $"The scene (EPSG:{scene.Epsg}, {Math.Abs(s.PixelWidth):G4}×{Math.Abs(s.PixelHeight):G4} per px) cannot be put on the AOI grid (EPSG:{GeoReference.Epsg}, {Math.Abs(g.PixelWidth):G4}×{Math.Abs(g.PixelHeight):G4} per px): only north-up scenes in the same coordinate system with pixels at most {MaxResampleRatio} times larger or smaller are resampled.");
        }

        ScenePlacement placement;
        if (Close(g.PixelWidth, s.PixelWidth) && Close(g.PixelHeight, s.PixelHeight))
        {
            var (col, row) = g.MapToPixel(s.OriginX, s.OriginY);
            placement = new ScenePlacement((int)Math.Round(col), (int)Math.Round(row), width, height);
        }
        else
        {
            var (left, top) = g.MapToPixel(s.OriginX, s.OriginY);
            var (right, bottom) = g.MapToPixel(s.OriginX + (width * s.PixelWidth), s.OriginY + (height * s.PixelHeight));
            var (x0, y0) = ((int)Math.Floor(left + 1e-6), (int)Math.Floor(top + 1e-6));
            var (x1, y1) = ((int)Math.Ceiling(right - 1e-6), (int)Math.Ceiling(bottom - 1e-6));
            placement = new ScenePlacement(x0, y0, Math.Max(1, x1 - x0), Math.Max(1, y1 - y0)) { Resampled = true };
        }

        var overlapX = Math.Min(placement.OffsetX + placement.Width, Width) - Math.Max(placement.OffsetX, 0);
        var overlapY = Math.Min(placement.OffsetY + placement.Height, Height) - Math.Max(placement.OffsetY, 0);
        if (overlapX <= 0 || overlapY <= 0)
        {
            throw new RejectedInputException(RejectionCode.NoOverlap,
                "The scene does not overlap the area covered by the AOI's first scene.");
        }

        return placement;
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-3 * Math.Abs(a);

    private static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);
}

/// <summary>
/// Where a scene lies on its AOI grid: scene pixel (0, 0) is grid pixel (<see cref="OffsetX"/>, <see cref="OffsetY"/>). For
/// a <see cref="Resampled"/> scene, "scene pixels" are those of the scene resampled onto the grid: the placement covers
/// its footprint, <see cref="Width"/> × <see cref="Height"/> grid pixels.
/// </summary>
public sealed record ScenePlacement(int OffsetX, int OffsetY, int Width, int Height)
{
    /// <summary>True when the scene's pixel size differs from the grid's and it is read resampled (bilinear) onto the grid.</summary>
    public bool Resampled { get; init; }

    /// <summary>Converts a window in grid pixels to the same window in scene pixels.</summary>
    public PixelWindow ToScene(PixelWindow gridWindow) =>
        gridWindow with { X = gridWindow.X - OffsetX, Y = gridWindow.Y - OffsetY };
}
