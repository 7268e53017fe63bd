namespace ChangeWatch.Core.Imaging;

/// <summary>A rectangle of pixels: column <see cref="X"/>, row <see cref="Y"/>, <see cref="Width"/> by <see cref="Height"/>.</summary>
public readonly record struct PixelWindow(int X, int Y, int Width, int Height)
{
    /// <summary>Pixels in the window.</summary>
    public long Area => (long)Width * Height;

    /// <summary>The part of this window inside a raster of the given size (may be empty).</summary>
    public PixelWindow ClipTo(int rasterWidth, int rasterHeight)
    {
        var x0 = Math.Clamp(X, 0, rasterWidth);
        var y0 = Math.Clamp(Y, 0, rasterHeight);
        var x1 = Math.Clamp(X + Width, 0, rasterWidth);
        var y1 = Math.Clamp(Y + Height, 0, rasterHeight);
        return new PixelWindow(x0, y0, x1 - x0, y1 - y0);
    }

    /// <summary>True when the window holds no pixel.</summary>
    public bool IsEmpty => Width <= 0 || Height <= 0;
}
