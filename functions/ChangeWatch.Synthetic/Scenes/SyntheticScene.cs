using ChangeWatch.Core.Imaging;
using ChangeWatch.Synthetic.Rendering;

namespace ChangeWatch.Synthetic;

/// <summary>
/// Builds a synthetic before/after pair of one area: a landscape (smooth-noise terrain, fields with crop rows, roads,
/// villages with shadowed buildings, trees) drawn from <see cref="Seed"/>, changes of interest added with the
/// <c>Add*</c> methods, nuisances set with <see cref="WithNuisance"/>, then <see cref="Render"/>. Everything, placement
/// included, is a pure function of the seed and the calls made: the same calls with the same seed give identical bytes.
/// Vehicles and equipment are drawn at their physical size converted with <see cref="GroundSampleDistance"/> (light
/// vehicles 4.2-5.2 × 1.7-2.1 m, heavy trucks and armour 6-8 × 2.4-3.4 m, shadows cast from their height), and so are
/// their spacings (1-2 m between vehicles in a park's rows, 3-8 m aisles; convoy and dispersed spacing in metres). The
/// landscape, earthworks and construction are drawn in pixels (notionally 0.5-1 m). Not thread-safe; one instance per thread.
/// </summary>
public sealed class SyntheticScene
{
    private readonly SceneLayout _layout;
    private readonly ScenarioRandom _placement;
    private readonly List<SceneEvent> _events = [];
    private Nuisance _nuisance = Nuisance.None;

    /// <summary>Metres per pixel when none is given: the GSD the synthetic training and test sets are tiled at.</summary>
    public const double DefaultGroundSampleDistance = 1.0;

    /// <summary>Creates a scene of <paramref name="width"/> × <paramref name="height"/> pixels (16 to 8192 each).</summary>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="seed">Fixes the landscape and every random choice made later.</param>
    /// <param name="includeNir">Adds a fourth band, near infrared.</param>
    /// <param name="groundSampleDistance">Metres per pixel (0.1 to 4): sets the pixel size of vehicles and their spacing.</param>
    public SyntheticScene(int width, int height, ulong seed, bool includeNir = false, double groundSampleDistance = DefaultGroundSampleDistance)
    {
        if (!double.IsFinite(groundSampleDistance) || groundSampleDistance < 0.1 || groundSampleDistance > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(groundSampleDistance), groundSampleDistance, "The ground sample distance must lie between 0.1 and 4 m.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(width, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 8192);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 8192);
        Width = width;
        Height = height;
        Seed = seed;
        GroundSampleDistance = groundSampleDistance;
        BandCount = includeNir ? 4 : 3;
        _layout = new SceneLayout(width, height, seed);
        _placement = new ScenarioRandom(ScenarioRandom.Mix(seed, 0xE7E5));
    }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>The scene seed.</summary>
    public ulong Seed { get; }

    /// <summary>3 (R, G, B) or 4 (R, G, B, NIR).</summary>
    public int BandCount { get; }

    /// <summary>Metres per pixel at which vehicles, equipment and their spacing are drawn.</summary>
    public double GroundSampleDistance { get; }

    /// <summary>
    /// Adds a group of vehicles and equipment (about one in five is a larger piece of equipment).
    /// <paramref name="kind"/> <see cref="ChangeKind.ObjectBuildUp"/> puts them in the after image only,
    /// <see cref="ChangeKind.ObjectDeparture"/> in the before image only (both labelled), and <see cref="ChangeKind.None"/>
    /// in both (static clutter, not labelled). Vehicles that would fall outside <paramref name="area"/> are dropped, so the
    /// rendered count can be lower than <paramref name="count"/>.
    /// </summary>
    public SyntheticScene AddVehicles(Formation formation, int count, ChangeKind kind = ChangeKind.ObjectBuildUp, PixelWindow? area = null, string? site = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (kind is not (ChangeKind.ObjectBuildUp or ChangeKind.ObjectDeparture or ChangeKind.None))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Vehicles arrive, depart, or stay (None).");
        }

        var region = Region(area);
        var ev = new SceneEvent(kind, formation, site, _placement.NextUInt64()) { Static = kind == ChangeKind.None };
        var rng = _placement.Fork(0x7E4);
        var groupColour = rng.Next(0, Palette.Vehicles.Length);
        switch (formation)
        {
            case Formation.Park:
                PlacePark(ev, rng, count, region, groupColour);
                break;
            case Formation.Convoy:
                PlaceConvoy(ev, rng, count, region, groupColour);
                break;
            default:
                PlaceDispersed(ev, rng, count, region, groupColour);
                break;
        }

        _events.Add(ev);
        return this;
    }

    /// <summary>Adds earthworks: <paramref name="trenches"/> zig-zag trenches with spoil berms and <paramref name="positions"/> dug pits ringed by berms.</summary>
    public SyntheticScene AddEarthworks(int trenches, int positions, PixelWindow? area = null, string? site = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trenches);
        ArgumentOutOfRangeException.ThrowIfNegative(positions);
        if (trenches + positions == 0)
        {
            throw new ArgumentException("Earthworks need at least one trench or position.", nameof(trenches));
        }

        var region = Region(area);
        var ev = new SceneEvent(ChangeKind.Earthworks, null, site, _placement.NextUInt64());
        var rng = _placement.Fork(0xEA27);
        var (cx, cy) = OpenSpot(rng, region, 40);
        for (var t = 0; t < trenches; t++)
        {
            var heading = rng.Range(0, 2 * Math.PI);
            var x = cx + rng.Range(-25, 25);
            var y = cy + rng.Range(-25, 25);
            var points = new List<(double X, double Y)> { (x, y) };
            var segments = rng.Next(3, 8);
            var zig = rng.Range(0.4, 0.8);
            for (var s = 0; s < segments; s++)
            {
                var a = heading + (s % 2 == 0 ? zig : -zig);
                var len = rng.Range(8, 22);
                x = Math.Clamp(x + Math.Cos(a) * len, region.X + 4, region.X + region.Width - 4);
                y = Math.Clamp(y + Math.Sin(a) * len, region.Y + 4, region.Y + region.Height - 4);
                points.Add((x, y));
            }

            ev.Trenches.Add(new Trench(points, rng.Range(0.8, 1.5), rng.Range(1.5, 3)));
        }

        for (var p = 0; p < positions; p++)
        {
            var x = Math.Clamp(cx + rng.Range(-35, 35), region.X + 10, region.X + region.Width - 10);
            var y = Math.Clamp(cy + rng.Range(-35, 35), region.Y + 10, region.Y + region.Height - 10);
            ev.Pits.Add(new Pit(x, y, rng.Range(3.5, 7.5)));
        }

        _events.Add(ev);
        return this;
    }

    /// <summary>Adds construction: a cleared patch of bare ground (30-80 px), usually with a new building footprint in it.</summary>
    public SyntheticScene AddConstruction(PixelWindow? area = null, string? site = null)
    {
        var region = Region(area);
        var ev = new SceneEvent(ChangeKind.Construction, null, site, _placement.NextUInt64());
        var rng = _placement.Fork(0xC0C);
        var hl = rng.Range(15, 40);
        var hw = rng.Range(12, Math.Min(30, hl));
        var (x, y, angle) = _layout.NearRoad(rng, hw + 6, hw + 40, region);
        if (rng.Chance(0.4))
        {
            (x, y) = OpenSpot(rng, region, hl + 4);
            angle = rng.Range(0, Math.PI);
        }

        x = Math.Clamp(x, region.X + hl + 2, region.X + region.Width - hl - 2);
        y = Math.Clamp(y, region.Y + hl + 2, region.Y + region.Height - hl - 2);
        ev.Clearing = new Clearing(x, y, Math.Cos(angle), Math.Sin(angle), hl, hw, rng.Chance(0.7), rng.Range(0.35, 0.7), Palette.Roofs[rng.Next(0, Palette.Roofs.Length)]);
        _events.Add(ev);
        return this;
    }

    /// <summary>
    /// Adds one change of the given kind with random size and formation, placed in <paramref name="area"/> (the whole scene
    /// when null). <see cref="ChangeKind.None"/> adds nothing.
    /// </summary>
    public SyntheticScene AddRandomChange(ChangeKind kind, PixelWindow? area = null)
    {
        var rng = _placement.Fork(0xA11);
        return kind switch
        {
            ChangeKind.ObjectBuildUp or ChangeKind.ObjectDeparture =>
                AddVehicles((Formation)rng.Next(0, 3), rng.Next(4, 36), kind, area),
            ChangeKind.Earthworks => AddRandomEarthworks(rng, area),
            ChangeKind.Construction => AddConstruction(area),
            _ => this,
        };
    }

    private SyntheticScene AddRandomEarthworks(ScenarioRandom rng, PixelWindow? area)
    {
        var trenches = rng.Next(0, 4);
        return AddEarthworks(trenches, rng.Next(trenches == 0 ? 2 : 0, 7), area);
    }

    /// <summary>Sets the nuisances applied to the after image (default: sensor noise only).</summary>
    public SyntheticScene WithNuisance(Nuisance nuisance)
    {
        ArgumentNullException.ThrowIfNull(nuisance);
        _nuisance = nuisance;
        return this;
    }

    /// <summary>Renders the pair. Calling it twice gives identical pairs.</summary>
    public SyntheticPair Render()
    {
        var rng = new ScenarioRandom(ScenarioRandom.Mix(Seed, 0x2E4D));
        var changedFields = new bool[_layout.Fields.Count];
        var fieldRng = rng.Fork(0xF1E1D);
        var anyFieldChange = false;
        for (var i = 0; i < changedFields.Length; i++)
        {
            changedFields[i] = fieldRng.Chance(_nuisance.FieldChangeFraction);
            anyFieldChange |= changedFields[i];
        }

        var before = new Canvas(Width, Height, BandCount);
        _layout.Render(before, new bool[changedFields.Length]);
        var after = new Canvas(Width, Height, BandCount);
        if (anyFieldChange)
        {
            _layout.Render(after, changedFields);
        }
        else
        {
            before.Data.CopyTo(after.Data, 0);
            before.Vegetation.CopyTo(after.Vegetation, 0);
        }

        var label = new byte[Width * Height];
        var placed = new List<PlacedChange>();
        var objects = new List<PlacedObject>();
        foreach (var ev in _events)
        {
            foreach (var v in ev.Vehicles)
            {
                objects.Add(new PlacedObject(
                    v.X, v.Y, 2 * v.HalfLength, 2 * v.HalfWidth, ev.Static || ev.Kind == ChangeKind.ObjectDeparture, ev.Static || ev.Kind == ChangeKind.ObjectBuildUp));
            }

            var bounds = new List<PixelWindow>();
            var evRng = new ScenarioRandom(ev.Seed);
            if (ev.Static)
            {
                PaintVehicles(before, ev.Vehicles, new ScenarioRandom(ev.Seed), null, null);
                PaintVehicles(after, ev.Vehicles, new ScenarioRandom(ev.Seed), null, null);
                continue;
            }

            switch (ev.Kind)
            {
                case ChangeKind.ObjectBuildUp:
                    PaintVehicles(after, ev.Vehicles, evRng, label, bounds);
                    break;
                case ChangeKind.ObjectDeparture:
                    PaintVehicles(before, ev.Vehicles, evRng, label, bounds);
                    break;
                case ChangeKind.Earthworks:
                    PaintEarthworks(after, ev, evRng, label, bounds);
                    break;
                case ChangeKind.Construction:
                    PaintConstruction(after, ev.Clearing!, evRng, label, bounds);
                    break;
            }

            if (bounds.Count > 0)
            {
                placed.Add(new PlacedChange(ev.Kind, ev.Formation, Union(bounds), ev.Vehicles.Count, ev.Site));
            }
        }

        NuisanceRenderer.Apply(after, _nuisance, rng.Fork(0x2015));
        NuisanceRenderer.AddNoiseAndClamp(before, _nuisance.NoiseSigma, rng.Fork(0xB4));
        NuisanceRenderer.AddNoiseAndClamp(after, _nuisance.NoiseSigma, rng.Fork(0xAF));
        return new SyntheticPair(
            new TileRaster(Width, Height, BandCount, before.Data),
            new TileRaster(Width, Height, BandCount, after.Data),
            label, placed, objects, _nuisance, Seed, GroundSampleDistance);
    }

    private PixelWindow Region(PixelWindow? area)
    {
        var r = (area ?? new PixelWindow(0, 0, Width, Height)).ClipTo(Width, Height);
        if (r.Width < 16 || r.Height < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(area), area, "The placement area must hold at least 16 × 16 pixels of the scene.");
        }

        return r;
    }

    private (double X, double Y) OpenSpot(ScenarioRandom rng, PixelWindow region, double margin)
    {
        var mx = Math.Min(margin, region.Width / 2.0 - 1);
        var my = Math.Min(margin, region.Height / 2.0 - 1);
        (double, double) spot = default;
        for (var attempt = 0; attempt < 30; attempt++)
        {
            spot = (rng.Range(region.X + mx, region.X + region.Width - mx), rng.Range(region.Y + my, region.Y + region.Height - my));
            if (_layout.IsOpenGround(spot.Item1, spot.Item2, 8))
            {
                break;
            }
        }

        return spot;
    }

    /// <summary>
    /// Draws one vehicle's size and colour (pixels at <see cref="GroundSampleDistance"/>): one in five is heavy (a truck,
    /// armour or engineering equipment, 6-8 × 2.4-3.4 m, 2.3-3.2 m tall), the rest light (4.2-5.2 × 1.7-2.1 m, 1.4-2.0 m
    /// tall). The shadow falls 0.6 × the height away from the sun.
    /// </summary>
    private VehicleShape DrawShape(ScenarioRandom rng, int groupColour)
    {
        var heavy = rng.Chance(0.2);
        var length = heavy ? rng.Range(6.0, 8.0) : rng.Range(4.2, 5.2);
        var width = heavy ? rng.Range(2.4, 3.4) : rng.Range(1.7, 2.1);
        var height = heavy ? rng.Range(2.3, 3.2) : rng.Range(1.4, 2.0);
        var colour = Palette.Vehicles[rng.Chance(0.8) ? groupColour : rng.Next(0, Palette.Vehicles.Length)].Jitter(rng, 6);
        var gsd = GroundSampleDistance;
        return new VehicleShape(length / 2 / gsd, width / 2 / gsd, ShadowToHeight * height / gsd, colour);
    }

    /// <summary>Shadow offset over object height: the sun about 60° above the horizon.</summary>
    private const double ShadowToHeight = 0.6;

    private readonly record struct VehicleShape(double HalfLength, double HalfWidth, double Shadow, Spectrum Colour);

    private static Vehicle Place(VehicleShape shape, double x, double y, double angle) =>
        new(x, y, Math.Cos(angle), Math.Sin(angle), shape.HalfLength, shape.HalfWidth, shape.Shadow, shape.Colour);

    /// <summary>
    /// Whether <paramref name="vehicle"/> cannot stand where it is: its body overlaps a building or a tree's crown (vehicles
    /// stand on open ground, <see cref="SceneLayout.Obstructs"/>) or comes within 0.5 m of a vehicle placed by an earlier
    /// call (vehicles never overlap).
    /// </summary>
    private bool Collides(Vehicle vehicle)
    {
        if (_layout.Obstructs(vehicle.X, vehicle.Y, vehicle.Ux, vehicle.Uy, vehicle.HalfLength, vehicle.HalfWidth))
        {
            return true;
        }

        var margin = 0.25 / GroundSampleDistance;
        foreach (var ev in _events)
        {
            foreach (var other in ev.Vehicles)
            {
                if (SceneLayout.RectanglesOverlap(vehicle.X, vehicle.Y, vehicle.Ux, vehicle.Uy, vehicle.HalfLength, vehicle.HalfWidth, other.X, other.Y, other.Ux, other.Uy, other.HalfLength, other.HalfWidth, margin))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool Inside(PixelWindow region, double x, double y, double margin) =>
        x >= region.X + margin && y >= region.Y + margin && x < region.X + region.Width - margin && y < region.Y + region.Height - margin;

    /// <summary>
    /// A vehicle park: rows of vehicles parked side by side (nose to the row's aisle), 1-2 m apart, rows separated by the
    /// longest vehicle plus a 3-8 m aisle, the park beside a road when there is one; about one slot in 16 left empty.
    /// </summary>
    private void PlacePark(SceneEvent ev, ScenarioRandom rng, int count, PixelWindow region, int groupColour)
    {
        var gsd = GroundSampleDistance;
        var rows = Math.Clamp((int)Math.Round(Math.Sqrt(count / 3.0)), 1, 6);
        var cols = (count + rows - 1) / rows;
        var shapes = new VehicleShape[rows * cols];
        for (var i = 0; i < shapes.Length; i++)
        {
            shapes[i] = DrawShape(rng, groupColour);
        }

        var gap = rng.Range(1.0, 2.0) / gsd;
        var aisle = rng.Range(3.0, 8.0) / gsd;
        var rowPitch = 2 * shapes.Max(v => v.HalfLength) + aisle;
        var rowLength = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            rowLength[r] = shapes.Skip(r * cols).Take(cols).Sum(v => 2 * v.HalfWidth) + (cols - 1) * gap;
        }

        // Up to 12 spots beside a road: the first where no slot of the park lands on a building, a tree's crown or a
        // vehicle already placed (else the spot with fewest such slots; they stay empty).
        var depth = rows * rowPitch;
        var halfX = rowLength.Max() / 2 + 4;
        List<Vehicle>? best = null;
        var bestCollisions = int.MaxValue;
        for (var attempt = 0; attempt < 12 && bestCollisions > 0; attempt++)
        {
            var (cx, cy, angle) = _layout.NearRoad(rng, 8 + depth / 2, 20 + depth / 2, region);
            cx = Math.Clamp(cx, region.X + Math.Min(halfX, region.Width / 2.0), region.X + region.Width - Math.Min(halfX, region.Width / 2.0));
            cy = Math.Clamp(cy, region.Y + Math.Min(halfX, region.Height / 2.0), region.Y + region.Height - Math.Min(halfX, region.Height / 2.0));
            var (ux, uy) = (Math.Cos(angle), Math.Sin(angle));
            var candidate = new List<Vehicle>();
            var collisions = 0;
            for (var r = 0; r < rows && candidate.Count < count; r++)
            {
                var s = -rowLength[r] / 2;
                for (var c = 0; c < cols && candidate.Count < count; c++)
                {
                    var shape = shapes[r * cols + c];
                    s += shape.HalfWidth;
                    var along = s;
                    s += shape.HalfWidth + gap;
                    if (rng.Chance(0.06))
                    {
                        continue;
                    }

                    var t = (r - (rows - 1) / 2.0) * rowPitch + rng.Range(-0.5, 0.5) / gsd;
                    along += rng.Range(-0.2, 0.2) / gsd;
                    var x = cx + ux * along - uy * t;
                    var y = cy + uy * along + ux * t;
                    var vehicle = Place(shape, x, y, angle + Math.PI / 2 + rng.Range(-0.04, 0.04));
                    if (!Inside(region, x, y, 4))
                    {
                        continue;
                    }

                    if (Collides(vehicle))
                    {
                        collisions++;
                        continue;
                    }

                    candidate.Add(vehicle);
                }
            }

            if (collisions < bestCollisions)
            {
                (best, bestCollisions) = (candidate, collisions);
            }
        }

        ev.Vehicles.AddRange(best!);
    }

    private void PlaceConvoy(SceneEvent ev, ScenarioRandom rng, int count, PixelWindow region, int groupColour)
    {
        // Centre to centre, 12-25 m: a closed-up column.
        var spacing = rng.Range(12, 25) / GroundSampleDistance;
        var path = RoadPathInside(rng, region) ?? StraightTrack(rng, region);
        var travelled = 0.0;
        var next = rng.Range(0, spacing);
        for (var i = 0; i + 1 < path.Count && ev.Vehicles.Count < count; i++)
        {
            var (ax, ay) = path[i];
            var (bx, by) = path[i + 1];
            var len = Math.Sqrt((bx - ax) * (bx - ax) + (by - ay) * (by - ay));
            while (next <= travelled + len && ev.Vehicles.Count < count)
            {
                var f = (next - travelled) / Math.Max(len, 1e-9);
                var x = ax + (bx - ax) * f;
                var y = ay + (by - ay) * f;
                next += spacing * rng.Range(0.85, 1.2);
                var vehicle = Place(DrawShape(rng, groupColour), x, y, Math.Atan2(by - ay, bx - ax) + rng.Range(-0.05, 0.05));
                if (Inside(region, x, y, 4) && !Collides(vehicle))
                {
                    ev.Vehicles.Add(vehicle);
                }
            }

            travelled += len;
        }
    }

    private List<(double X, double Y)>? RoadPathInside(ScenarioRandom rng, PixelWindow region)
    {
        var roads = _layout.Roads.Where(r => r.Points.Any(p => Inside(region, p.X, p.Y, 8))).ToList();
        if (roads.Count == 0)
        {
            return null;
        }

        var road = roads[rng.Next(0, roads.Count)];
        var inside = road.Points.Select((p, i) => (p, i)).Where(t => Inside(region, t.p.X, t.p.Y, 8)).Select(t => t.i).ToList();
        var start = inside[rng.Next(0, Math.Max(1, inside.Count / 2))];
        return road.Points.Skip(start).ToList();
    }

    private static List<(double X, double Y)> StraightTrack(ScenarioRandom rng, PixelWindow region)
    {
        var angle = rng.Range(0, 2 * Math.PI);
        var x = region.X + region.Width / 2.0 - Math.Cos(angle) * region.Width * 0.35;
        var y = region.Y + region.Height / 2.0 - Math.Sin(angle) * region.Height * 0.35;
        var points = new List<(double X, double Y)> { (x, y) };
        for (var s = 0; s < 200; s++)
        {
            angle += rng.Range(-0.04, 0.04);
            x += Math.Cos(angle) * 6;
            y += Math.Sin(angle) * 6;
            points.Add((x, y));
        }

        return points;
    }

    private void PlaceDispersed(SceneEvent ev, ScenarioRandom rng, int count, PixelWindow region, int groupColour)
    {
        // Within (7 √count + 10) m of a centre, at least 10 m apart.
        var radius = (7 * Math.Sqrt(count) + 10) / GroundSampleDistance;
        var separation = 10 / GroundSampleDistance;
        var (cx, cy) = OpenSpot(rng, region, Math.Min(radius, Math.Min(region.Width, region.Height) / 2.0 - 2));
        for (var attempt = 0; attempt < count * 20 && ev.Vehicles.Count < count; attempt++)
        {
            var a = rng.Range(0, 2 * Math.PI);
            var d = radius * Math.Sqrt(rng.NextDouble());
            var x = cx + Math.Cos(a) * d;
            var y = cy + Math.Sin(a) * d;
            if (!Inside(region, x, y, 4) || ev.Vehicles.Any(v => (v.X - x) * (v.X - x) + (v.Y - y) * (v.Y - y) < separation * separation))
            {
                continue;
            }

            var vehicle = Place(DrawShape(rng, groupColour), x, y, rng.Range(0, Math.PI));
            if (!Collides(vehicle))
            {
                ev.Vehicles.Add(vehicle);
            }
        }
    }

    private void PaintVehicles(Canvas canvas, List<Vehicle> vehicles, ScenarioRandom rng, byte[]? label, List<PixelWindow>? bounds)
    {
        foreach (var v in vehicles)
        {
            canvas.CoverRectangle(v.X + _layout.SunX * v.Shadow, v.Y + _layout.SunY * v.Shadow, v.Ux, v.Uy, v.HalfLength, v.HalfWidth);
            canvas.CompositeShade(0.5f, label, bounds);
            canvas.CoverRectangle(v.X, v.Y, v.Ux, v.Uy, v.HalfLength, v.HalfWidth);
            canvas.CompositeColour(v.Colour, 4, rng, label, bounds);
        }
    }

    private static void PaintEarthworks(Canvas canvas, SceneEvent ev, ScenarioRandom rng, byte[] label, List<PixelWindow> bounds)
    {
        foreach (var t in ev.Trenches)
        {
            canvas.CoverPolyline(t.Points, t.HalfWidth + t.BermWidth);
        }

        foreach (var p in ev.Pits)
        {
            canvas.CoverDisc(p.X, p.Y, p.Radius + 2);
        }

        canvas.CompositeColour(Palette.Spoil.Jitter(rng, 8), 9, rng, label, bounds);
        foreach (var t in ev.Trenches)
        {
            canvas.CoverPolyline(t.Points, t.HalfWidth);
        }

        foreach (var p in ev.Pits)
        {
            canvas.CoverDisc(p.X, p.Y, Math.Max(1.5, p.Radius - 1.5));
        }

        canvas.CompositeColour(Palette.DugSoil.Jitter(rng, 6), 6, rng, label, bounds);
    }

    private void PaintConstruction(Canvas canvas, Clearing c, ScenarioRandom rng, byte[] label, List<PixelWindow> bounds)
    {
        canvas.CoverRectangle(c.X, c.Y, c.Ux, c.Uy, c.HalfLength, c.HalfWidth);
        canvas.CompositeColour(Palette.ClearedGround.Jitter(rng, 10), 10, rng, label, bounds);
        if (!c.WithBuilding)
        {
            return;
        }

        var hl = c.HalfLength * c.BuildingScale;
        var hw = c.HalfWidth * c.BuildingScale;
        canvas.CoverRectangle(c.X + _layout.SunX * 3, c.Y + _layout.SunY * 3, c.Ux, c.Uy, hl, hw);
        canvas.CompositeShade(0.55f, label, bounds);
        canvas.CoverRectangle(c.X, c.Y, c.Ux, c.Uy, hl, hw);
        canvas.CompositeColour(rng.Chance(0.5) ? Palette.Slab : c.Roof, 4, rng, label, bounds);
    }

    private static PixelWindow Union(List<PixelWindow> windows)
    {
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = int.MinValue, y1 = int.MinValue;
        foreach (var w in windows)
        {
            x0 = Math.Min(x0, w.X);
            y0 = Math.Min(y0, w.Y);
            x1 = Math.Max(x1, w.X + w.Width);
            y1 = Math.Max(y1, w.Y + w.Height);
        }

        return new PixelWindow(x0, y0, x1 - x0, y1 - y0);
    }
}
