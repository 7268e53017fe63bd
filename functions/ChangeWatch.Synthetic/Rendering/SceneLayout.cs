namespace ChangeWatch.Synthetic.Rendering;

/// <summary>
/// The static landscape of a scene (terrain, fields, roads, villages, trees), drawn once from the seed and rendered
/// identically for both dates except for fields whose crop state a nuisance changes.
/// </summary>
internal sealed class SceneLayout
{
    private static readonly Spectrum[] CropStates = [Palette.GreenCrop, Palette.RipeCrop, Palette.Ploughed, Palette.Stubble];

    public SceneLayout(int width, int height, ulong seed)
    {
        Width = width;
        Height = height;
        var rng = new ScenarioRandom(ScenarioRandom.Mix(seed, 0x1A70));
        TerrainSeed = rng.NextUInt64();
        var sunAngle = rng.Range(0, 2 * Math.PI);
        SunX = Math.Cos(sunAngle);
        SunY = Math.Sin(sunAngle);
        var area = (double)width * height;
        var mainAngle = rng.Range(0, Math.PI);

        var fieldCount = Math.Max(1, (int)(area / 16000 * rng.Range(0.6, 1.2)));
        for (var i = 0; i < fieldCount; i++)
        {
            var angle = mainAngle + rng.Range(-0.15, 0.15);
            Fields.Add(new Field(
                rng.Range(-20, width + 20), rng.Range(-20, height + 20), Math.Cos(angle), Math.Sin(angle),
                rng.Range(25, 110), rng.Range(20, 80), rng.Next(0, CropStates.Length), rng.Range(2.5, 6), rng.NextUInt64()));
        }

        var roadCount = width * height >= 500_000 ? rng.Next(2, 5) : rng.Next(0, 3);
        for (var i = 0; i < roadCount; i++)
        {
            Roads.Add(DrawRoad(rng, width, height));
        }

        var villages = Math.Max(rng.Chance(0.5) ? 1 : 0, (int)(area / 250_000 * rng.Range(0.6, 1.4)));
        for (var v = 0; v < villages; v++)
        {
            var (cx, cy, angle) = NearRoad(rng, 14, 40);
            var count = rng.Next(3, 14);
            for (var b = 0; b < count; b++)
            {
                var a = angle + (rng.Chance(0.7) ? 0 : Math.PI / 2) + rng.Range(-0.08, 0.08);
                Buildings.Add(new Building(
                    cx + rng.Range(-40, 40), cy + rng.Range(-40, 40), Math.Cos(a), Math.Sin(a),
                    rng.Range(4, 12), rng.Range(3, 8), rng.Range(1.5, 4), Palette.Roofs[rng.Next(0, Palette.Roofs.Length)], rng.NextUInt64()));
            }
        }

        var clumps = Math.Max(1, (int)(area / 30_000 * rng.Range(0.5, 1.5)));
        for (var c = 0; c < clumps; c++)
        {
            var cx = rng.Range(0, width);
            var cy = rng.Range(0, height);
            var radius = rng.Range(6, 30);
            var n = rng.Next(4, 26);
            for (var t = 0; t < n; t++)
            {
                Trees.Add(new Tree(cx + rng.Range(-radius, radius), cy + rng.Range(-radius, radius), rng.Range(1.5, 4.2)));
            }
        }

        // Tree rows along some field edges.
        foreach (var f in Fields)
        {
            if (!rng.Chance(0.25))
            {
                continue;
            }

            var side = rng.Chance(0.5) ? 1 : -1;
            var ex = f.Cx - f.Uy * f.HalfWidth * side;
            var ey = f.Cy + f.Ux * f.HalfWidth * side;
            for (var s = -f.HalfLength; s <= f.HalfLength; s += rng.Range(4, 7))
            {
                Trees.Add(new Tree(ex + f.Ux * s, ey + f.Uy * s, rng.Range(1.8, 3.2)));
            }
        }
    }

    public int Width { get; }

    public int Height { get; }

    public ulong TerrainSeed { get; }

    /// <summary>Unit vector along which shadows fall (x right, y down).</summary>
    public double SunX { get; }

    /// <inheritdoc cref="SunX"/>
    public double SunY { get; }

    public List<Field> Fields { get; } = [];

    public List<Road> Roads { get; } = [];

    public List<Building> Buildings { get; } = [];

    public List<Tree> Trees { get; } = [];

    /// <summary>A point beside a road (or anywhere when the scene has none), and the road's direction there.</summary>
    public (double X, double Y, double Angle) NearRoad(ScenarioRandom rng, double minOffset, double maxOffset, Core.Imaging.PixelWindow? area = null)
    {
        var a = area ?? new Core.Imaging.PixelWindow(0, 0, Width, Height);
        var candidates = new List<(double X, double Y, double Angle)>();
        foreach (var road in Roads)
        {
            for (var i = 0; i + 1 < road.Points.Count; i++)
            {
                var (x, y) = road.Points[i];
                if (x >= a.X + 20 && x < a.X + a.Width - 20 && y >= a.Y + 20 && y < a.Y + a.Height - 20)
                {
                    var (nx, ny) = road.Points[i + 1];
                    candidates.Add((x, y, Math.Atan2(ny - y, nx - x)));
                }
            }
        }

        if (candidates.Count == 0)
        {
            return (rng.Range(a.X + 0.25 * a.Width, a.X + 0.75 * a.Width), rng.Range(a.Y + 0.25 * a.Height, a.Y + 0.75 * a.Height), rng.Range(0, Math.PI));
        }

        var (px, py, angle) = candidates[rng.Next(0, candidates.Count)];
        var side = rng.Chance(0.5) ? 1 : -1;
        var offset = rng.Range(minOffset, maxOffset) * side;
        return (px - Math.Sin(angle) * offset, py + Math.Cos(angle) * offset, angle);
    }

    /// <summary>Renders the landscape into <paramref name="canvas"/>; fields flagged in <paramref name="changedFields"/> take another crop state.</summary>
    public void Render(Canvas canvas, bool[] changedFields)
    {
        RenderTerrain(canvas);
        for (var i = 0; i < Fields.Count; i++)
        {
            RenderField(canvas, Fields[i], changedFields[i]);
        }

        foreach (var road in Roads)
        {
            var rng = new ScenarioRandom(road.Seed);
            canvas.CoverPolyline(road.Points, road.HalfWidth);
            canvas.CompositeColour(road.Paved ? Palette.PavedRoad : Palette.DirtTrack, 5, rng);
        }

        foreach (var b in Buildings)
        {
            var rng = new ScenarioRandom(b.Seed);
            canvas.CoverRectangle(b.Cx + SunX * b.ShadowLength, b.Cy + SunY * b.ShadowLength, b.Ux, b.Uy, b.HalfLength, b.HalfWidth);
            canvas.CompositeShade(0.55f);
            canvas.CoverRectangle(b.Cx, b.Cy, b.Ux, b.Uy, b.HalfLength, b.HalfWidth);
            canvas.CompositeColour(b.Roof, 4, rng);
        }

        var treeRng = new ScenarioRandom(ScenarioRandom.Mix(TerrainSeed, 0x7EE));
        foreach (var t in Trees)
        {
            canvas.CoverDisc(t.X + SunX * t.Radius * 0.9, t.Y + SunY * t.Radius * 0.9, t.Radius);
        }

        canvas.CompositeShade(0.62f);
        foreach (var t in Trees)
        {
            canvas.CoverDisc(t.X, t.Y, t.Radius);
        }

        canvas.CompositeColour(Palette.Tree, 9, treeRng);
    }

    /// <summary>
    /// Whether a rectangle centred at (<paramref name="x"/>, <paramref name="y"/>), its long axis along (<paramref name="ux"/>,
    /// <paramref name="uy"/>), overlaps a building or a tree's crown: a vehicle cannot stand on a roof or in a tree, so
    /// vehicles are placed on open ground (a tree's or building's shadow is open ground). Pixels.
    /// </summary>
    public bool Obstructs(double x, double y, double ux, double uy, double halfLength, double halfWidth)
    {
        foreach (var t in Trees)
        {
            // The crown's centre in the rectangle's frame, clamped to the rectangle: the nearest point of the body.
            var (dx, dy) = (t.X - x, t.Y - y);
            var (along, across) = (dx * ux + dy * uy, -dx * uy + dy * ux);
            var (ca, cc) = (Math.Clamp(along, -halfLength, halfLength), Math.Clamp(across, -halfWidth, halfWidth));
            if ((along - ca) * (along - ca) + (across - cc) * (across - cc) < t.Radius * t.Radius)
            {
                return true;
            }
        }

        foreach (var b in Buildings)
        {
            if (RectanglesOverlap(x, y, ux, uy, halfLength, halfWidth, b.Cx, b.Cy, b.Ux, b.Uy, b.HalfLength, b.HalfWidth))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether two rectangles (centre, unit long axis, half length and half width; pixels), each grown by
    /// <paramref name="margin"/>, overlap: no axis of either separates them (separating-axis test). Vehicles against
    /// vehicles and against roofs.
    /// </summary>
    public static bool RectanglesOverlap(double ax, double ay, double aux, double auy, double aHalfLength, double aHalfWidth, double bx, double by, double bux, double buy, double bHalfLength, double bHalfWidth, double margin = 0) =>
        !Separated(ax, ay, aux, auy, aHalfLength, aHalfWidth, bx, by, bux, buy, bHalfLength, bHalfWidth, margin)
        && !Separated(bx, by, bux, buy, bHalfLength, bHalfWidth, ax, ay, aux, auy, aHalfLength, aHalfWidth, margin);

    /// <summary>Whether one of rectangle a's two axes separates it from rectangle b, both grown by <paramref name="margin"/>.</summary>
    private static bool Separated(double ax, double ay, double aux, double auy, double aHalfLength, double aHalfWidth, double bx, double by, double bux, double buy, double bHalfLength, double bHalfWidth, double margin)
    {
        var (dx, dy) = (bx - ax, by - ay);
        foreach (var (nx, ny, half) in new[] { (aux, auy, aHalfLength), (-auy, aux, aHalfWidth) })
        {
            var reach = half + margin + Math.Abs(bux * nx + buy * ny) * (bHalfLength + margin) + Math.Abs(-buy * nx + bux * ny) * (bHalfWidth + margin);
            if (Math.Abs(dx * nx + dy * ny) > reach)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a point is free of buildings and roads (for placing events on open ground).</summary>
    public bool IsOpenGround(double x, double y, double clearance)
    {
        foreach (var b in Buildings)
        {
            if (Math.Abs(x - b.Cx) < b.HalfLength + clearance && Math.Abs(y - b.Cy) < b.HalfLength + clearance)
            {
                return false;
            }
        }

        foreach (var road in Roads)
        {
            foreach (var (px, py) in road.Points)
            {
                if ((px - x) * (px - x) + (py - y) * (py - y) < (road.HalfWidth + clearance) * (road.HalfWidth + clearance))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static Road DrawRoad(ScenarioRandom rng, int width, int height)
    {
        double x, y, heading;
        switch (rng.Next(0, 4))
        {
            case 0: x = rng.Range(0, width); y = -10; heading = Math.PI / 2; break;
            case 1: x = rng.Range(0, width); y = height + 10; heading = -Math.PI / 2; break;
            case 2: x = -10; y = rng.Range(0, height); heading = 0; break;
            default: x = width + 10; y = rng.Range(0, height); heading = Math.PI; break;
        }

        heading += rng.Range(-0.6, 0.6);
        var turn = 0.0;
        var points = new List<(double X, double Y)> { (x, y) };
        var limit = 4 * (width + height) / 6;
        for (var s = 0; s < limit; s++)
        {
            turn = Math.Clamp(turn + rng.Range(-0.025, 0.025), -0.05, 0.05);
            heading += turn;
            x += Math.Cos(heading) * 6;
            y += Math.Sin(heading) * 6;
            points.Add((x, y));
            if (x < -20 || y < -20 || x > width + 20 || y > height + 20)
            {
                break;
            }
        }

        var paved = rng.Chance(0.5);
        return new Road(points, paved ? rng.Range(2.5, 4) : rng.Range(1.2, 2.5), paved, rng.NextUInt64());
    }

    private void RenderTerrain(Canvas canvas)
    {
        var rng = new ScenarioRandom(TerrainSeed);
        var plane = canvas.Plane;
        var large = new float[plane];
        var fine = new float[plane];
        SmoothNoise.Add(large, Width, Height, rng, 160, 4);
        SmoothNoise.Add(fine, Width, Height, rng, 6, 2);
        var nir = canvas.Bands > 3;
        for (var i = 0; i < plane; i++)
        {
            var t = large[i] * 1.6f;
            var soil = Math.Clamp((t - 0.15f) * 2.5f, 0f, 1f);
            var dry = Math.Clamp(1f - Math.Abs(t) * 2.2f, 0f, 1f) * (1f - soil);
            var green = Math.Max(0f, 1f - soil - dry);
            var n = fine[i] * 10f;
            var g = Palette.GreenGrass;
            var d = Palette.DryGrass;
            var s = Palette.Soil;
            canvas.Data[i] = green * g.R + dry * d.R + soil * s.R + n;
            canvas.Data[plane + i] = green * g.G + dry * d.G + soil * s.G + n;
            canvas.Data[2 * plane + i] = green * g.B + dry * d.B + soil * s.B + n * 0.8f;
            if (nir)
            {
                canvas.Data[3 * plane + i] = green * g.Nir + dry * d.Nir + soil * s.Nir + n * 1.3f;
            }

            canvas.Vegetation[i] = green * g.Vegetation + dry * d.Vegetation + soil * s.Vegetation;
        }
    }

    private void RenderField(Canvas canvas, Field f, bool changed)
    {
        var rng = new ScenarioRandom(f.Seed);
        var state = changed ? (f.State + 1 + (int)(f.Seed % 3)) % CropStates.Length : f.State;
        var colour = CropStates[state].Jitter(new ScenarioRandom(f.Seed ^ (ulong)state), 8);
        var stripe = state == 2 ? 9f : 6f;
        var ex = Math.Abs(f.Ux) * f.HalfLength + Math.Abs(f.Uy) * f.HalfWidth;
        var ey = Math.Abs(f.Uy) * f.HalfLength + Math.Abs(f.Ux) * f.HalfWidth;
        var x0 = Math.Max(0, (int)Math.Floor(f.Cx - ex));
        var x1 = Math.Min(Width - 1, (int)Math.Ceiling(f.Cx + ex));
        var y0 = Math.Max(0, (int)Math.Floor(f.Cy - ey));
        var y1 = Math.Min(Height - 1, (int)Math.Ceiling(f.Cy + ey));
        var twoPiOverPeriod = 2 * Math.PI / f.RowPeriod;
        for (var y = y0; y <= y1; y++)
        {
            for (var x = x0; x <= x1; x++)
            {
                var dx = x + 0.5 - f.Cx;
                var dy = y + 0.5 - f.Cy;
                var along = dx * f.Ux + dy * f.Uy;
                var across = -dx * f.Uy + dy * f.Ux;
                var c = Math.Clamp(f.HalfLength + 0.5 - Math.Abs(along), 0, 1) * Math.Clamp(f.HalfWidth + 0.5 - Math.Abs(across), 0, 1);
                var noise = (float)(rng.NextDouble() * 2 - 1) * 4f;
                if (c <= 0)
                {
                    continue;
                }

                var v = stripe * (float)Math.Sin(across * twoPiOverPeriod) + noise;
                canvas.Paint(y * Width + x, new Spectrum(colour.R + v, colour.G + v, colour.B + v * 0.7f, colour.Nir + v * 1.5f, colour.Vegetation), (float)c);
            }
        }
    }

    internal sealed record Field(double Cx, double Cy, double Ux, double Uy, double HalfLength, double HalfWidth, int State, double RowPeriod, ulong Seed);

    internal sealed record Road(List<(double X, double Y)> Points, double HalfWidth, bool Paved, ulong Seed);

    internal sealed record Building(double Cx, double Cy, double Ux, double Uy, double HalfLength, double HalfWidth, double ShadowLength, Spectrum Roof, ulong Seed);

    internal readonly record struct Tree(double X, double Y, double Radius);
}
