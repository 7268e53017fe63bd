namespace ChangeWatch.Core.Imaging;

/// <summary>A rectangle of pixels: column <see cref="X"/>, row <see cref="Y"/>, <see cref="Width"/> by <see cref="Height"/>.</summary>
public readonly record struct PixelWindow(int X, int Y, int Width, int Height)
{
    /// <summary>Pixels in the window.</summary>
    public long Area => (long)Width * Height;

    /// <summary>The part of this window inside a raster of the given size (may be empty).</summary>
    public PixelWindow ClipTo(int rasterWidth, int rasterHeight) => Intersect(new PixelWindow(0, 0, rasterWidth, rasterHeight));

    /// <summary>The pixels both windows hold; empty (zero width or height) when they do not meet.</summary>
    public PixelWindow Intersect(PixelWindow other)
    {
        var x0 = Math.Max(X, other.X);
        var y0 = Math.Max(Y, other.Y);
        var x1 = Math.Min(X + Width, other.X + other.Width);
        var y1 = Math.Min(Y + Height, other.Y + other.Height);
        return new PixelWindow(x0, y0, Math.Max(0, x1 - x0), Math.Max(0, y1 - y0));
    }

    /// <summary>True when the window holds no pixel.</summary>
    public bool IsEmpty => Width <= 0 || Height <= 0;
}
