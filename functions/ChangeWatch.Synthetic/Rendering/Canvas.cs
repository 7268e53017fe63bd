using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Synthetic.Rendering;

/// <summary>
/// One date's image being painted: band-sequential planes in 0-255 units (the layout of <see cref="TileRaster"/>),
/// a vegetation-weight plane, and a scratch coverage plane that shapes are rasterised into before compositing.
/// </summary>
internal sealed class Canvas
{
    private int _sx0, _sy0, _sx1 = -1, _sy1 = -1;

    public Canvas(int width, int height, int bands)
    {
        Width = width;
        Height = height;
        Bands = bands;
        Data = new float[width * height * bands];
        Vegetation = new float[width * height];
        Scratch = new float[width * height];
    }

    public int Width { get; }

    public int Height { get; }

    public int Bands { get; }

    public float[] Data { get; }

    public float[] Vegetation { get; }

    public float[] Scratch { get; }

    public int Plane => Width * Height;

    /// <summary>The scratch plane's touched bounds (empty when nothing was rasterised since the last clear).</summary>
    public PixelWindow ScratchBounds => _sx1 < _sx0 ? default : new PixelWindow(_sx0, _sy0, _sx1 - _sx0 + 1, _sy1 - _sy0 + 1);

    public void Paint(int index, in Spectrum colour, float alpha)
    {
        var plane = Plane;
        for (var b = 0; b < Bands; b++)
        {
            ref var v = ref Data[b * plane + index];
            v += (colour[b] - v) * alpha;
        }

        ref var g = ref Vegetation[index];
        g += (colour.Vegetation - g) * alpha;
    }

    public void Shade(int index, float factor, float alpha)
    {
        var f = 1f + (factor - 1f) * alpha;
        var plane = Plane;
        for (var b = 0; b < Bands; b++)
        {
            Data[b * plane + index] *= f;
        }
    }

    /// <summary>Raises the scratch coverage at a pixel (max of old and new).</summary>
    public void Cover(int x, int y, float coverage)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height || coverage <= 0f)
        {
            return;
        }

        ref var c = ref Scratch[y * Width + x];
        if (coverage > c)
        {
            c = coverage;
        }

        if (_sx1 < _sx0)
        {
            _sx0 = _sx1 = x;
            _sy0 = _sy1 = y;
        }
        else
        {
            _sx0 = Math.Min(_sx0, x);
            _sx1 = Math.Max(_sx1, x);
            _sy0 = Math.Min(_sy0, y);
            _sy1 = Math.Max(_sy1, y);
        }
    }

    /// <summary>Paints the scratch coverage with a colour plus per-pixel texture noise (±<paramref name="texture"/>), then clears it.</summary>
    public void CompositeColour(in Spectrum colour, float texture, ScenarioRandom rng, byte[]? label = null, List<PixelWindow>? labelBounds = null)
    {
        var w = ScratchBounds;
        for (var y = w.Y; y < w.Y + w.Height; y++)
        {
            var row = y * Width;
            for (var x = w.X; x < w.X + w.Width; x++)
            {
                var i = row + x;
                var c = Scratch[i];
                if (c <= 0f)
                {
                    continue;
                }

                var n = texture > 0 ? (float)(rng.NextDouble() * 2 - 1) * texture : 0f;
                Paint(i, new Spectrum(colour.R + n, colour.G + n, colour.B + n, colour.Nir + n, colour.Vegetation), c);
                if (label is not null)
                {
                    label[i] = 1;
                }

                Scratch[i] = 0f;
            }
        }

        if (label is not null && labelBounds is not null && !w.IsEmpty)
        {
            labelBounds.Add(w);
        }

        ResetScratchBounds();
    }

    /// <summary>Darkens the scratch coverage by <paramref name="factor"/> (a shadow), then clears it.</summary>
    public void CompositeShade(float factor, byte[]? label = null, List<PixelWindow>? labelBounds = null)
    {
        var w = ScratchBounds;
        for (var y = w.Y; y < w.Y + w.Height; y++)
        {
            var row = y * Width;
            for (var x = w.X; x < w.X + w.Width; x++)
            {
                var i = row + x;
                var c = Scratch[i];
                if (c <= 0f)
                {
                    continue;
                }

                Shade(i, factor, c);
                if (label is not null)
                {
                    label[i] = 1;
                }

                Scratch[i] = 0f;
            }
        }

        if (label is not null && labelBounds is not null && !w.IsEmpty)
        {
            labelBounds.Add(w);
        }

        ResetScratchBounds();
    }

    public void ResetScratchBounds()
    {
        _sx0 = _sy0 = 0;
        _sx1 = _sy1 = -1;
    }

    /// <summary>Rasterises an oriented rectangle (centre, unit direction of its length, half length, half width) with 4×4 supersampling.</summary>
    public void CoverRectangle(double cx, double cy, double ux, double uy, double halfLength, double halfWidth)
    {
        var ex = Math.Abs(ux) * halfLength + Math.Abs(uy) * halfWidth;
        var ey = Math.Abs(uy) * halfLength + Math.Abs(ux) * halfWidth;
        var x0 = (int)Math.Floor(cx - ex);
        var x1 = (int)Math.Ceiling(cx + ex);
        var y0 = (int)Math.Floor(cy - ey);
        var y1 = (int)Math.Ceiling(cy + ey);
        for (var y = Math.Max(0, y0); y <= Math.Min(Height - 1, y1); y++)
        {
            for (var x = Math.Max(0, x0); x <= Math.Min(Width - 1, x1); x++)
            {
                var hits = 0;
                for (var sy = 0; sy < 4; sy++)
                {
                    var dy = y + (sy + 0.5) / 4 - cy;
                    for (var sx = 0; sx < 4; sx++)
                    {
                        var dx = x + (sx + 0.5) / 4 - cx;
                        var along = dx * ux + dy * uy;
                        var across = -dx * uy + dy * ux;
                        if (Math.Abs(along) <= halfLength && Math.Abs(across) <= halfWidth)
                        {
                            hits++;
                        }
                    }
                }

                if (hits > 0)
                {
                    Cover(x, y, hits / 16f);
                }
            }
        }
    }

    /// <summary>Rasterises a disc (or an annulus when <paramref name="innerRadius"/> &gt; 0) with anti-aliased edges.</summary>
    public void CoverDisc(double cx, double cy, double radius, double innerRadius = 0)
    {
        var x0 = (int)Math.Floor(cx - radius - 1);
        var x1 = (int)Math.Ceiling(cx + radius + 1);
        var y0 = (int)Math.Floor(cy - radius - 1);
        var y1 = (int)Math.Ceiling(cy + radius + 1);
        for (var y = Math.Max(0, y0); y <= Math.Min(Height - 1, y1); y++)
        {
            for (var x = Math.Max(0, x0); x <= Math.Min(Width - 1, x1); x++)
            {
                var d = Math.Sqrt((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy));
                var c = Math.Clamp(radius + 0.5 - d, 0, 1);
                if (innerRadius > 0)
                {
                    c = Math.Min(c, Math.Clamp(d - innerRadius + 0.5, 0, 1));
                }

                if (c > 0)
                {
                    Cover(x, y, (float)c);
                }
            }
        }
    }

    /// <summary>Rasterises a thick polyline (half width <paramref name="halfWidth"/>) with anti-aliased edges.</summary>
    public void CoverPolyline(IReadOnlyList<(double X, double Y)> points, double halfWidth, double offsetX = 0, double offsetY = 0)
    {
        for (var s = 0; s + 1 < points.Count; s++)
        {
            var (ax, ay) = (points[s].X + offsetX, points[s].Y + offsetY);
            var (bx, by) = (points[s + 1].X + offsetX, points[s + 1].Y + offsetY);
            var x0 = (int)Math.Floor(Math.Min(ax, bx) - halfWidth - 1);
            var x1 = (int)Math.Ceiling(Math.Max(ax, bx) + halfWidth + 1);
            var y0 = (int)Math.Floor(Math.Min(ay, by) - halfWidth - 1);
            var y1 = (int)Math.Ceiling(Math.Max(ay, by) + halfWidth + 1);
            var vx = bx - ax;
            var vy = by - ay;
            var len2 = Math.Max(vx * vx + vy * vy, 1e-9);
            for (var y = Math.Max(0, y0); y <= Math.Min(Height - 1, y1); y++)
            {
                for (var x = Math.Max(0, x0); x <= Math.Min(Width - 1, x1); x++)
                {
                    var px = x + 0.5 - ax;
                    var py = y + 0.5 - ay;
                    var t = Math.Clamp((px * vx + py * vy) / len2, 0, 1);
                    var dx = px - t * vx;
                    var dy = py - t * vy;
                    var c = Math.Clamp(halfWidth + 0.5 - Math.Sqrt(dx * dx + dy * dy), 0, 1);
                    if (c > 0)
                    {
                        Cover(x, y, (float)c);
                    }
                }
            }
        }
    }
}
