namespace ChangeWatch.Synthetic.Rendering;

/// <summary>Value noise: random values on a coarse lattice, smoothstep-interpolated, summed over octaves. Roughly in [-1, 1].</summary>
internal static class SmoothNoise
{
    /// <summary>Adds <paramref name="octaves"/> octaves of noise (largest cell <paramref name="cellSize"/> px) to <paramref name="destination"/>.</summary>
    public static void Add(Span<float> destination, int width, int height, ScenarioRandom rng, float cellSize, int octaves, float amplitude = 1f)
    {
        var amp = amplitude;
        var cell = cellSize;
        var total = 0f;
        for (var o = 0; o < octaves; o++)
        {
            total += amp;
            amp *= 0.5f;
        }

        amp = amplitude / total * amplitude;
        for (var o = 0; o < octaves && cell >= 1f; o++)
        {
            AddOctave(destination, width, height, rng, cell, amp);
            amp *= 0.5f;
            cell *= 0.5f;
        }
    }

    private static void AddOctave(Span<float> destination, int width, int height, ScenarioRandom rng, float cell, float amplitude)
    {
        var gw = (int)(width / cell) + 3;
        var gh = (int)(height / cell) + 3;
        var lattice = new float[gw * gh];
        for (var i = 0; i < lattice.Length; i++)
        {
            lattice[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        var inv = 1f / cell;
        var xs = new int[width];
        var ws = new float[width];
        for (var x = 0; x < width; x++)
        {
            var fx = x * inv;
            xs[x] = (int)fx;
            var t = fx - xs[x];
            ws[x] = t * t * (3 - 2 * t);
        }

        for (var y = 0; y < height; y++)
        {
            var fy = y * inv;
            var gy = (int)fy;
            var ty = fy - gy;
            ty = ty * ty * (3 - 2 * ty);
            var row0 = lattice.AsSpan(gy * gw, gw);
            var row1 = lattice.AsSpan((gy + 1) * gw, gw);
            var dest = destination.Slice(y * width, width);
            for (var x = 0; x < width; x++)
            {
                var gx = xs[x];
                var tx = ws[x];
                var a = row0[gx] + (row0[gx + 1] - row0[gx]) * tx;
                var b = row1[gx] + (row1[gx + 1] - row1[gx]) * tx;
                dest[x] += amplitude * (a + (b - a) * ty);
            }
        }
    }
}
