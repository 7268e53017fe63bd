namespace ChangeWatch.Synthetic.Rendering;

/// <summary>Applies a <see cref="Nuisance"/> to a canvas: seasonal shift, blur, haze, gain and offset, misregistration.</summary>
internal static class NuisanceRenderer
{
    private static readonly float[] Airlight = [206, 209, 216, 188];

    public static void Apply(Canvas canvas, Nuisance nuisance, ScenarioRandom rng)
    {
        var plane = canvas.Plane;
        var data = canvas.Data;
        if (nuisance.Season != 0)
        {
            var s = (float)nuisance.Season;
            float[] shift = [30f * s, 3f * s, -8f * s, -48f * s];
            for (var b = 0; b < canvas.Bands; b++)
            {
                var band = data.AsSpan(b * plane, plane);
                var k = shift[b];
                for (var i = 0; i < plane; i++)
                {
                    band[i] += k * canvas.Vegetation[i];
                }
            }
        }

        if (nuisance.Blur > 0)
        {
            Blur(canvas, (float)Math.Clamp(nuisance.Blur, 0, 1));
        }

        if (nuisance.Haze > 0)
        {
            var veil = new float[plane];
            SmoothNoise.Add(veil, canvas.Width, canvas.Height, rng.Fork(0x4A2E), 220, 2);
            var h = (float)Math.Clamp(nuisance.Haze, 0, 1);
            for (var b = 0; b < canvas.Bands; b++)
            {
                var band = data.AsSpan(b * plane, plane);
                var air = Airlight[b];
                for (var i = 0; i < plane; i++)
                {
                    var t = h * Math.Clamp(0.6f + 0.4f * veil[i] * 2f, 0.15f, 1f);
                    band[i] += (air - band[i]) * t;
                }
            }
        }

        if (nuisance.Gain != 1 || nuisance.Offset != 0 || nuisance.BandGainSpread != 0)
        {
            for (var b = 0; b < canvas.Bands; b++)
            {
                var g = (float)(nuisance.Gain * (1 + nuisance.BandGainSpread * rng.Range(-1, 1)));
                var o = (float)nuisance.Offset;
                var band = data.AsSpan(b * plane, plane);
                for (var i = 0; i < plane; i++)
                {
                    band[i] = band[i] * g + o;
                }
            }
        }

        if (nuisance.ShiftX != 0 || nuisance.ShiftY != 0)
        {
            Shift(canvas, nuisance.ShiftX, nuisance.ShiftY);
        }
    }

    /// <summary>Adds Gaussian-like noise (Irwin-Hall of four uniforms) of standard deviation <paramref name="sigma"/>, then clamps to 0-255.</summary>
    public static void AddNoiseAndClamp(Canvas canvas, double sigma, ScenarioRandom rng)
    {
        var scale = (float)(sigma * Math.Sqrt(3.0));
        var data = canvas.Data.AsSpan();
        for (var i = 0; i < data.Length; i++)
        {
            var n = (float)(rng.NextDouble() + rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 2.0) * scale;
            data[i] = Math.Clamp(data[i] + n, 0f, 255f);
        }
    }

    private static void Blur(Canvas canvas, float amount)
    {
        var w = canvas.Width;
        var h = canvas.Height;
        var tmp = new float[w * h];
        for (var b = 0; b < canvas.Bands; b++)
        {
            var band = canvas.Data.AsSpan(b * w * h, w * h);
            for (var y = 0; y < h; y++)
            {
                var row = band.Slice(y * w, w);
                var dst = tmp.AsSpan(y * w, w);
                for (var x = 0; x < w; x++)
                {
                    dst[x] = 0.25f * row[Math.Max(0, x - 1)] + 0.5f * row[x] + 0.25f * row[Math.Min(w - 1, x + 1)];
                }
            }

            for (var y = 0; y < h; y++)
            {
                var up = tmp.AsSpan(Math.Max(0, y - 1) * w, w);
                var mid = tmp.AsSpan(y * w, w);
                var down = tmp.AsSpan(Math.Min(h - 1, y + 1) * w, w);
                var row = band.Slice(y * w, w);
                for (var x = 0; x < w; x++)
                {
                    var blurred = 0.25f * up[x] + 0.5f * mid[x] + 0.25f * down[x];
                    row[x] += (blurred - row[x]) * amount;
                }
            }
        }
    }

    private static void Shift(Canvas canvas, double shiftX, double shiftY)
    {
        var w = canvas.Width;
        var h = canvas.Height;
        var source = new float[w * h];
        for (var b = 0; b < canvas.Bands; b++)
        {
            var band = canvas.Data.AsSpan(b * w * h, w * h);
            band.CopyTo(source);
            for (var y = 0; y < h; y++)
            {
                var sy = Math.Clamp(y - shiftY, 0, h - 1);
                var y0 = (int)Math.Floor(sy);
                var y1 = Math.Min(h - 1, y0 + 1);
                var ty = (float)(sy - y0);
                var dst = band.Slice(y * w, w);
                for (var x = 0; x < w; x++)
                {
                    var sx = Math.Clamp(x - shiftX, 0, w - 1);
                    var x0 = (int)Math.Floor(sx);
                    var x1 = Math.Min(w - 1, x0 + 1);
                    var tx = (float)(sx - x0);
                    var top = source[y0 * w + x0] + (source[y0 * w + x1] - source[y0 * w + x0]) * tx;
                    var bottom = source[y1 * w + x0] + (source[y1 * w + x1] - source[y1 * w + x0]) * tx;
                    dst[x] = top + (bottom - top) * ty;
                }
            }
        }
    }
}
