using System.Buffers;
using System.Numerics;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// Vehicles and equipment that arrived or left between the two dates of a tile pair, counted from the change between
/// them. The after image is matched to the before image band by band (10th, 50th and 90th percentiles over the tile), the local median of
/// each band's difference over blocks of about <see cref="BackgroundMetres"/> is taken out (gain, offset, haze,
/// illumination), and pixels whose colour difference exceeds <see cref="MinChange"/> and <see cref="NoiseFactor"/> × the
/// local median difference (noise, texture, a changed field) form 8-connected blobs. Static clutter (building shadows,
/// dark roofs, tree rims, crop rows) is the same on both dates and does not enter the change. A blob counts when it is
/// vehicle-sized (at least <see cref="ObjectCounter.MinAreaSquareMetres"/>, not a thin sliver, within
/// <see cref="ObjectCounter.MaxGroupLengthMetres"/> × <see cref="ObjectCounter.MaxGroupWidthMetres"/>), its change is
/// neither uniform with its surroundings changed too (a field changing crop: <see cref="MinSpread"/>) nor a dipole (an edge moved by a
/// sub-pixel shift: spread above <see cref="MaxSpread"/>), the unchanged pixels beside it did not nearly change too
/// (<see cref="MaxRingChange"/>), and it is not vegetation (tree crowns whose colour shifted with the season). It
/// arrived when the after date is clearly darker over it (a shadow and, mostly, a dark body: <see cref="MinDarkening"/>),
/// left when clearly brighter, else arrived when the after image departs more from the unchanged ground beside it than
/// the before image does. A blob counts one vehicle up to 1.5 typical footprints (body and shadow) or when it has one
/// truck's size; larger blobs (touching vehicles in a park's rows) count their area over the typical footprint: the
/// median of the tile's isolated vehicle-sized change blobs when there are three or more (clamped to 0.6-1.6 ×
/// <see cref="FootprintSquareMetres"/>), else <see cref="FootprintSquareMetres"/>.
/// Known limits: the gain is read from the tile's spread, so on ground without texture (noise only) a change of gain
/// shows at the static vehicles; haze that differs across the tile together with saturated bright ground (a gain of 1.5
/// and strong haze) is not a linear change and leaves false blobs around trees and buildings.
/// Memory: scratch rented from <see cref="ArrayPool{T}"/>, about 29 bytes per pixel, returned before the call ends.
/// Thread-safe (no shared state).
/// </summary>
internal static class ChangeObjectCounter
{
    /// <summary>Least colour difference of a changed pixel, in units where the before tile's median brightness is 120.</summary>
    public const float MinChange = 24f;

    /// <summary>A changed pixel's difference is at least this many times the tile's median difference (noise, texture).</summary>
    public const float NoiseFactor = 4f;

    /// <summary>Side of the blocks, metres, over which the local median difference (haze, illumination) is taken.</summary>
    public const double BackgroundMetres = 48.0;

    /// <summary>
    /// Footprint of a typical vehicle in the change (body and the shadow beside it), m², used when a tile has fewer than
    /// three isolated vehicles to measure it on: a car of 4.7 × 1.9 m with its shadow 1.4-2 m away covers 12-17 m², a
    /// truck 25-35 m², one in five is a truck.
    /// </summary>
    public const double FootprintSquareMetres = 18.0;

    /// <summary>
    /// Least spread of a blob's difference vectors over the length of their mean: below it, with the ground beside it
    /// changed by more than <see cref="UniformRingChange"/> of its threshold, the change is a uniform one (a field), not vehicles.
    /// </summary>
    public const double MinSpread = 0.25;

    /// <summary>See <see cref="MinSpread"/>.</summary>
    public const double UniformRingChange = 0.45;

    /// <summary>Largest spread (see <see cref="MinSpread"/>): above it the change is a dipole, an edge that moved.</summary>
    public const double MaxSpread = 2.5;

    /// <summary>Largest mean difference of the unchanged pixels beside a blob over their threshold: above it the blob is part of a larger change.</summary>
    public const double MaxRingChange = 0.7;

    /// <summary>Least darkening (see <see cref="Spread"/>) that tells the direction by itself: darker after = arrived.</summary>
    public const double MinDarkening = 0.3;

    /// <summary>Share of a blob's pixels green on both dates at or above which it is vegetation whatever its darkening.</summary>
    public const double MaxGreenShare = 0.7;

    /// <summary>Widest footprint (equivalent rectangle's short side), metres, that counts as one vehicle however large: a truck with its shadow.</summary>
    public const double MaxSingleWidthMetres = 4.5;

    /// <summary>Least mean small-feature contrast of the before image over a blob read as vehicles that left (see <see cref="Count"/>).</summary>
    public const float LeftContrast = 25f;

    /// <summary>What was counted in a tile pair's core: vehicles that arrived and vehicles that left.</summary>
    internal readonly record struct Result(int Arrived, int Departed);

    /// <summary>
    /// The before image's candidates as the learned count read them, for the departure gate of a model that has one
    /// (<see cref="VehicleCountModel.GatesDepartures"/>): each pixel's candidate (index + 1, 0 for none) and each
    /// candidate's vehicles by the candidate ensembles. Empty: no gate.
    /// </summary>
    internal readonly ref struct BeforeCandidates(ReadOnlySpan<int> labels, float[] counts)
    {
        private readonly ReadOnlySpan<int> _labels = labels;
        private readonly float[]? _counts = counts;

        /// <summary>Whether there is nothing to gate with.</summary>
        public bool IsEmpty => _counts is null;

        /// <summary>
        /// Whether the candidates touching the change blob holding <paramref name="seed"/> (pixels equal to 2 in
        /// <paramref name="mask"/>) hold at least <see cref="DepartureMinimumVehicles"/> vehicles together: a vehicle that
        /// left stood in the before image, where the before count saw it. The blob's pixels are walked and left as they were.
        /// </summary>
        public bool HoldVehicles(Span<byte> mask, int w, int h, int seed, Span<int> stack, Span<int> members)
        {
            // Few blobs read as left, so the set of candidates seen is allocated per blob asked about.
            var area = BlobCounter.Collect(mask, w, h, seed, 2, 3, stack, members);
            var seen = new HashSet<int>();
            float held = 0;
            foreach (var p in members[..area])
            {
                var candidate = _labels[p] - 1;
                if (candidate >= 0 && seen.Add(candidate))
                {
                    held += _counts![candidate];
                }
            }

            BlobCounter.Collect(mask, w, h, seed, 3, 2, stack, members);
            return held >= DepartureMinimumVehicles;
        }
    }

    /// <summary>
    /// Least vehicles the before image's candidates touching a change blob must hold (by the candidate ensembles) for the
    /// blob to count as vehicles that left, with a model that gates departures: clutter read as "left" (a field's texture
    /// fading, a shadow that moved) stands where the before count saw nothing.
    /// </summary>
    public const float DepartureMinimumVehicles = 0.5f;

    /// <summary>One change blob looked at (diagnostics): centroid, area (pixels), equivalent rectangle, verdict, objects, arrival.</summary>
    internal readonly record struct ChangeBlob(double X, double Y, int Area, double Length, double Width, string Verdict, bool Arrived, int Objects = 0)
    {
        /// <summary>Mean difference of the unchanged pixels beside the blob over their threshold.</summary>
        public double RingChange { get; init; }

        /// <summary>How much of the blob this tile counts (<see cref="BlobShape.CoreShare"/>).</summary>
        public double CoreShare { get; init; }

        /// <summary>Spread of the blob's difference vectors over the length of their mean (low: a uniform change, a field's).</summary>
        public double Spread { get; init; }

        /// <summary>One pixel of the blob (tile index): where its pixels are found again.</summary>
        public int Seed { get; init; }

        /// <summary>The blob's features for a learned change count (<see cref="FeatureNames"/>), when asked for.</summary>
        public float[]? Features { get; init; }

        /// <summary>The blob's place among all blobs of the tile (its pixels hold Index + 1 in the label plane).</summary>
        public int Index { get; init; }

        /// <summary>Vehicles counted as having left in the blob (after the departure gate, when there is one); 0 for a blob read as arrived.</summary>
        public int Left { get; init; }
    }

    /// <summary>
    /// The spread of the members' difference vectors (planes 0-2) over the length of their mean, and how much darker
    /// the after date is: minus the mean of the bands' differences over the root mean square difference.
    /// </summary>
    private static (double Spread, double Darkening) Spread(ReadOnlySpan<float> planes, int n, ReadOnlySpan<int> members)
    {
        double s0 = 0, s1 = 0, s2 = 0, ss = 0;
        foreach (var p in members)
        {
            var (a, b, c) = (planes[p], planes[n + p], planes[2 * n + p]);
            (s0, s1, s2) = (s0 + a, s1 + b, s2 + c);
            ss += (double)a * a + (double)b * b + (double)c * c;
        }

        var k = members.Length;
        var mean2 = (s0 * s0 + s1 * s1 + s2 * s2) / ((double)k * k);
        var darkening = -(s0 + s1 + s2) / (3.0 * k) / Math.Sqrt(Math.Max(1e-9, ss / (3.0 * k)));
        return (Math.Sqrt(Math.Max(0, ss / k - mean2) / Math.Max(1e-9, mean2)), darkening);
    }

    /// <summary>
    /// Counts the vehicles that arrived and left between <paramref name="before"/> and <paramref name="after"/> (R, G, B
    /// first; NaN = no data) whose change blob's centroid lies in <paramref name="core"/>.
    /// </summary>
    /// <param name="before">Baseline tile.</param>
    /// <param name="after">New tile, same size and bands.</param>
    /// <param name="gsd">Metres per pixel.</param>
    /// <param name="core">The window whose blobs are counted.</param>
    /// <param name="beforeContrast">
    /// The before image's small-feature contrast per pixel (<see cref="ObjectCounter"/>'s), or empty: when given, a blob
    /// read as vehicles that left counts only where the before image showed them (mean contrast over the blob at least
    /// <see cref="LeftContrast"/>); dug pits and fresh spoil, brighter after but no object before, do not.
    /// </param>
    /// <param name="examined">Receives every blob looked at, when not null.</param>
    /// <param name="arrivals">
    /// When not empty (one byte per tile pixel): set to 1 on the pixels of every blob counted as vehicles that arrived
    /// (in the core), left as it is elsewhere.
    /// </param>
    /// <param name="model">When given, the arrivals each blob its <see cref="VehicleCountModel.ArrivalGate"/> names holds (<see cref="VehicleCountModel.Arrivals"/> of its <see cref="ChangeBlob.Features"/>) replace the rules' count; departures stay the rules' (gated by <paramref name="beforeCandidates"/> when given).</param>
    /// <param name="labels">When not empty (one int per pixel): each blob's pixels are set to its index in <paramref name="examined"/>'s order + 1, other pixels to 0.</param>
    /// <param name="beforeCandidates">When not empty (a model that <see cref="VehicleCountModel.GatesDepartures"/>): a blob the rules count as left counts only where these hold a vehicle (<see cref="BeforeCandidates.HoldVehicles"/>).</param>
    public static Result Count(TileRaster before, TileRaster after, double gsd, PixelWindow core, ReadOnlySpan<float> beforeContrast, List<ChangeBlob>? examined = null, Span<byte> arrivals = default, VehicleCountModel? model = null, Span<int> labels = default, BeforeCandidates beforeCandidates = default)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.BandCount < 3 || after.BandCount < 3 || before.Width != after.Width || before.Height != after.Height)
        {
            throw new ArgumentException("Change counting needs two tiles of one size with R, G and B bands.", nameof(after));
        }

        var (w, h) = (before.Width, before.Height);
        var n = w * h;
        var floats = ArrayPool<float>.Shared.Rent(6 * n);
        var ints = ArrayPool<int>.Shared.Rent(2 * n);
        var mask = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            var magnitude = floats.AsSpan(3 * n, n);
            var local = floats.AsSpan(4 * n, n);
            var validity = floats.AsSpan(5 * n, n);
            var m = mask.AsSpan(0, n);
            var valid = MarkValid(before, after, m, validity);

            if (valid < n / 16)
            {
                return default;
            }

            // Per band: after matched to before (mean and spread), then the local median difference taken out.
            double brightness = 0;
            magnitude.Clear();
            var block = Math.Clamp((int)Math.Round(BackgroundMetres / gsd), 16, Math.Max(16, Math.Max(w, h)));
            for (var b = 0; b < 3; b++)
            {
                var x = before.Band(b);
                var y = after.Band(b);
                // Percentiles, not mean and spread: the change itself (a park arriving on flat ground) would bend those.
                var (x1, x2, x3) = Percentiles(x, m);
                var (y1, y2, y3) = Percentiles(y, m);
                var gain = y3 - y1 > 1e-6 * Math.Max(1f, Math.Abs(y2)) ? (x3 - x1) / (y3 - y1) : 1f;
                var offset = x2 - gain * y2;
                brightness += x2;
                var d = floats.AsSpan(b * n, n);
                MatchedDifference(x, y, validity, gain, offset, d);
                LocalMedian(d, m, w, h, block, -64f, 0.5f, local);
                SubtractAndAddSquare(d, local, magnitude);
            }

            var scale = brightness > 1e-6 ? (float)(3 * 120.0 / brightness) : 1f;
            var candidates = ScaleRootAndCount(magnitude, validity, scale);

            // Every blob pixel changes by at least MinChange and a blob needs MinBlobPixels of them: with fewer in the
            // whole tile nothing can be counted, so the threshold's local median and the blob walk are skipped.
            if (examined is null && candidates < MinBlobPixels(gsd))
            {
                return default;
            }

            // Threshold: the local median difference (noise, texture, a changed field) × NoiseFactor, at least MinChange.
            LocalMedian(magnitude, m, w, h, block, 0f, 1f, local);
            for (var i = 0; i < n; i++)
            {
                // 1 = changed, 0 = unchanged, 4 = no data (left out of rings).
                m[i] = m[i] == 0 ? (byte)4 : magnitude[i] >= Math.Max(MinChange, NoiseFactor * local[i]) ? (byte)1 : (byte)0;
            }

            if (!labels.IsEmpty)
            {
                labels.Clear();
            }

            var blobs = Blobs(before, after, m, floats.AsSpan(0, 5 * n), beforeContrast, gsd, core, ints.AsSpan(0, n), ints.AsSpan(n, n), model is not null || examined is not null, labels);
            var typical = TypicalPixels(blobs, gsd);
            var reach = ObjectCounter.NeighbourMetres / gsd;
            foreach (var blob in blobs)
            {
                if (blob.Features is not { } f)
                {
                    continue;
                }

                foreach (var other in blobs)
                {
                    var (dx, dy) = (other.X - blob.X, other.Y - blob.Y);
                    if (!ReferenceEquals(other.Features, f) && dx * dx + dy * dy <= reach * reach)
                    {
                        f[22]++;
                        f[23] += (float)(other.Area * gsd * gsd);
                    }
                }
            }

            double arrived = 0, departed = 0;
            foreach (var blob in blobs)
            {
                if (blob.CoreShare <= 0)
                {
                    continue;
                }

                // One vehicle: up to 1.5 typical footprints, or one vehicle's size (a truck with its shadow); touching
                // vehicles (a park's row): the blob's area over the typical footprint.
                var single = blob.Area <= 1.5 * typical
                    || (blob.Area <= 2.5 * typical && blob.Length * gsd <= ObjectCounter.MaxVehicleLengthMetres && blob.Width * gsd <= MaxSingleWidthMetres);
                var objects = blob.Verdict != "object" ? 0 : single ? 1 : Math.Max(2, (int)Math.Round(blob.Area / typical));
                if (blob.Features is { } f)
                {
                    f[RuleObjectsFeature] = blob.Arrived ? objects : -objects;
                }

                var left = blob.Arrived ? 0 : objects;
                if (model is not null)
                {
                    var a = AsksModel(blob, model.ArrivalGate) ? model.Arrivals(blob.Features!) : 0f;
                    left = left == 0 || (!beforeCandidates.IsEmpty && !beforeCandidates.HoldVehicles(m, w, h, blob.Seed, ints.AsSpan(0, n), ints.AsSpan(n, n))) ? 0 : left;
                    (arrived, departed) = (arrived + a * blob.CoreShare, departed + left * blob.CoreShare);
                    objects = (int)Math.Round(a);
                }
                else
                {
                    (arrived, departed) = blob.Arrived ? (arrived + objects * blob.CoreShare, departed) : (arrived, departed + objects * blob.CoreShare);
                }

                examined?.Add(blob with { Objects = objects, Left = left });
                if (objects > 0 && blob.Arrived && arrivals.Length == n)
                {
                    // Blob pixels hold 2 after the walk; relabel this one to 3 and mark its members.
                    var members = ints.AsSpan(n, n);
                    var area = BlobCounter.Collect(m, w, h, blob.Seed, 2, 3, ints.AsSpan(0, n), members);
                    foreach (var p in members[..area])
                    {
                        arrivals[p] = 1;
                    }
                }
            }

            return new Result((int)Math.Round(arrived), (int)Math.Round(departed));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(mask);
            ArrayPool<int>.Shared.Return(ints);
            ArrayPool<float>.Shared.Return(floats);
        }
    }

    /// <summary>
    /// Whether a count model with <paramref name="gate"/> is asked how many vehicles arrived in <paramref name="blob"/>:
    /// when the direction test (taken for every blob, those the rules reject by shape too) reads it as arrived; and with
    /// <see cref="ArrivalGate.DirectionOrMixed"/> also when it reads as left but the rules neither count it as a departure
    /// nor reject it by shape and its change is mixed (spread at least <see cref="MinSpread"/>): a light vehicle arriving
    /// on darker ground reads brighter after, beside its own darker shadow; a dug pit or fresh spoil brightens evenly, and
    /// a compact patch of it is left out so.
    /// </summary>
    internal static bool AsksModel(ChangeBlob blob, ArrivalGate gate) =>
        blob.Features![RuleArrivedFeature] > 0
        || (gate == ArrivalGate.DirectionOrMixed && blob.Verdict is not ("object" or "shape") && blob.Spread >= MinSpread);

    /// <summary>
    /// Marks in <paramref name="m"/> (1 / 0) and <paramref name="validity"/> (1f / 0f) the pixels finite in R, G and B of
    /// both dates, a vector at a time (a value is finite when it minus itself is 0); returns how many.
    /// </summary>
    private static int MarkValid(TileRaster before, TileRaster after, Span<byte> m, Span<float> validity)
    {
        var n = m.Length;
        ReadOnlySpan<float> b0 = before.Band(0), b1 = before.Band(1), b2 = before.Band(2), a0 = after.Band(0), a1 = after.Band(1), a2 = after.Band(2);
        var lanes = Vector<float>.Count;
        var valid = 0;
        var i = 0;
        for (; i + lanes <= n; i += lanes)
        {
            var ok = Finite(b0, i) & Finite(b1, i) & Finite(b2, i) & Finite(a0, i) & Finite(a1, i) & Finite(a2, i);
            Vector.ConditionalSelect(ok, Vector<float>.One, Vector<float>.Zero).CopyTo(validity.Slice(i, lanes));
            for (var k = 0; k < lanes; k++)
            {
                var one = ok[k] != 0;
                m[i + k] = one ? (byte)1 : (byte)0;
                valid += one ? 1 : 0;
            }
        }

        for (; i < n; i++)
        {
            var one = float.IsFinite(b0[i]) && float.IsFinite(b1[i]) && float.IsFinite(b2[i]) && float.IsFinite(a0[i]) && float.IsFinite(a1[i]) && float.IsFinite(a2[i]);
            (m[i], validity[i]) = one ? ((byte)1, 1f) : ((byte)0, 0f);
            valid += one ? 1 : 0;
        }

        return valid;

        static Vector<int> Finite(ReadOnlySpan<float> band, int at)
        {
            var v = new Vector<float>(band.Slice(at, Vector<float>.Count));
            return Vector.Equals(v - v, Vector<float>.Zero);
        }
    }

    /// <summary>d = gain × y + offset − x where the pixel is valid, else 0, a vector at a time.</summary>
    private static void MatchedDifference(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> validity, float gain, float offset, Span<float> d)
    {
        var lanes = Vector<float>.Count;
        var (vg, vo) = (new Vector<float>(gain), new Vector<float>(offset));
        var i = 0;
        for (; i + lanes <= d.Length; i += lanes)
        {
            var value = (vg * new Vector<float>(y.Slice(i, lanes))) + vo - new Vector<float>(x.Slice(i, lanes));
            Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(validity.Slice(i, lanes)), Vector<float>.Zero), value, Vector<float>.Zero).CopyTo(d.Slice(i, lanes));
        }

        for (; i < d.Length; i++)
        {
            d[i] = validity[i] > 0 ? gain * y[i] + offset - x[i] : 0f;
        }
    }

    /// <summary>d −= local; magnitude += d², a vector at a time.</summary>
    private static void SubtractAndAddSquare(Span<float> d, ReadOnlySpan<float> local, Span<float> magnitude)
    {
        var lanes = Vector<float>.Count;
        var i = 0;
        for (; i + lanes <= d.Length; i += lanes)
        {
            var v = new Vector<float>(d.Slice(i, lanes)) - new Vector<float>(local.Slice(i, lanes));
            v.CopyTo(d.Slice(i, lanes));
            (new Vector<float>(magnitude.Slice(i, lanes)) + (v * v)).CopyTo(magnitude.Slice(i, lanes));
        }

        for (; i < d.Length; i++)
        {
            d[i] -= local[i];
            magnitude[i] += d[i] * d[i];
        }
    }

    /// <summary>magnitude = √magnitude × scale; returns how many valid pixels reach <see cref="MinChange"/>, a vector at a time.</summary>
    private static int ScaleRootAndCount(Span<float> magnitude, ReadOnlySpan<float> validity, float scale)
    {
        var lanes = Vector<float>.Count;
        var (vs, min) = (new Vector<float>(scale), new Vector<float>(MinChange));
        var count = Vector<int>.Zero;
        var i = 0;
        for (; i + lanes <= magnitude.Length; i += lanes)
        {
            var v = Vector.SquareRoot(new Vector<float>(magnitude.Slice(i, lanes))) * vs;
            v.CopyTo(magnitude.Slice(i, lanes));
            count -= Vector.GreaterThanOrEqual(v, min) & Vector.GreaterThan(new Vector<float>(validity.Slice(i, lanes)), Vector<float>.Zero);
        }

        var candidates = Vector.Sum(count);
        for (; i < magnitude.Length; i++)
        {
            magnitude[i] = MathF.Sqrt(magnitude[i]) * scale;
            candidates += magnitude[i] >= MinChange && validity[i] > 0 ? 1 : 0;
        }

        return candidates;
    }

    /// <summary>Fewest pixels of a blob that can count (<see cref="ObjectCounter.MinPixels"/>, <see cref="ObjectCounter.MinAreaSquareMetres"/>).</summary>
    private static int MinBlobPixels(double gsd) => Math.Max(ObjectCounter.MinPixels, (int)Math.Ceiling(ObjectCounter.MinAreaSquareMetres / (gsd * gsd)));

    /// <summary>The median area, pixels, of the isolated blobs of one vehicle's footprint (half to twice <see cref="FootprintSquareMetres"/>, vehicle-sized box), when three or more; else the prior.</summary>
    private static double TypicalPixels(List<ChangeBlob> blobs, double gsd)
    {
        var prior = FootprintSquareMetres / (gsd * gsd);
        var areas = new List<int>();
        foreach (var blob in blobs)
        {
            if (blob.Verdict == "object" && blob.Area >= 0.5 * prior && blob.Area <= 2 * prior
                && blob.Length * gsd <= ObjectCounter.MaxVehicleLengthMetres && blob.Width * gsd <= ObjectCounter.MaxVehicleWidthMetres)
            {
                areas.Add(blob.Area);
            }
        }

        if (areas.Count < 3)
        {
            return prior;
        }

        areas.Sort();
        var median = areas.Count % 2 == 1 ? areas[areas.Count / 2] : 0.5 * (areas[areas.Count / 2 - 1] + areas[areas.Count / 2]);
        return Math.Clamp(median, 0.6 * prior, 1.6 * prior);
    }

    private static List<ChangeBlob> Blobs(TileRaster before, TileRaster after, Span<byte> mask, ReadOnlySpan<float> planes, ReadOnlySpan<float> beforeContrast, double gsd, PixelWindow core, Span<int> stack, Span<int> members, bool withFeatures, Span<int> labels)
    {
        var (w, h) = (before.Width, before.Height);
        var n = w * h;
        var minPixels = MinBlobPixels(gsd);
        var minThickness = Math.Max(1.8, ObjectCounter.MinThicknessMetres / gsd);
        var hasNir = before.BandCount > 3 && after.BandCount > 3;
        var (beforeScale, afterScale) = (ObjectCounter.BrightnessScale(before), ObjectCounter.BrightnessScale(after));
        var blobs = new List<ChangeBlob>();
        for (var start = 0; start < n; start++)
        {
            var next = mask[start..].IndexOf((byte)1);
            if (next < 0)
            {
                break;
            }

            start += next;
            var area = BlobCounter.Collect(mask, w, h, start, 1, 2, stack, members);
            var shape = BlobShape.Of(members[..area], w);
            var (cx, cy) = (shape.MeanX + 0.5, shape.MeanY + 0.5);
            var share = shape.CoreShare(members[..area], w, h, core);
            var length = Math.Sqrt(12 * shape.MajorVariance);
            var width = Math.Sqrt(12 * shape.MinorVariance);
            var thin = area < minThickness * length || area < 0.5 * length * width;
            var tooLarge = length * gsd > ObjectCounter.MaxGroupLengthMetres || width * gsd > ObjectCounter.MaxGroupWidthMetres;
            if (area < minPixels || thin || tooLarge)
            {
                blobs.Add(WithFeatures(new ChangeBlob(cx, cy, area, length, width, "shape", false) { Seed = start, CoreShare = share }, withFeatures, labels, blobs.Count, before, after, mask, planes, beforeContrast, gsd, members[..area], hasNir, beforeScale, afterScale, null));
                continue;
            }

            var cues = ReadCues(before, after, mask, planes, members[..area], hasNir, beforeScale, afterScale);
            var (ringChange, spread, darkening, green, greenBoth) = (cues.RingChange, cues.Spread, cues.Darkening, cues.Green, cues.GreenBoth);

            // Mostly darker after (a vehicle's shadow and a dark body): arrived; mostly brighter: left.
            var arrived = Math.Abs(darkening) >= MinDarkening ? darkening > 0 : cues.Arrived;

            // Vegetation whose change neither darkens nor brightens it much (tree rims under a season shift or a
            // sub-pixel shift; an arriving vehicle's shadow darkens even grass): not an object.
            // Vegetation on both dates over most of the blob (a tree clump's crowns) is not an object either: an arriving
            // vehicle's body is not green, only its shadow on grass may read so.
            if ((Math.Abs(darkening) < MinDarkening && green >= ObjectCounter.VegetationShare * area) || greenBoth >= MaxGreenShare * area)
            {
                blobs.Add(WithFeatures(new ChangeBlob(cx, cy, area, length, width, "vegetation", arrived) { RingChange = ringChange, Spread = spread, Seed = start, CoreShare = share }, withFeatures, labels, blobs.Count, before, after, mask, planes, beforeContrast, gsd, members[..area], hasNir, beforeScale, afterScale, cues));
                continue;
            }

            // A uniform change whose surroundings changed too (a field changing crop, a patch of grass drying, cut into
            // fragments by the threshold) is not an object: a vehicle's footprint mixes its body, its shadow and their
            // edge pixels, and the ground beside it is unchanged. Nor is any blob whose surroundings changed almost as much.
            // A dipole (one side brighter, the other darker: an edge moved by a sub-pixel shift) has a mean near zero.
            var verdict = spread < MinSpread && ringChange > UniformRingChange ? "uniform" : spread > MaxSpread ? "dipole" : ringChange > MaxRingChange ? "region" : "object";
            if (verdict == "object" && !arrived && beforeContrast.Length == n)
            {
                // Vehicles that left stood out in the before image (a dark body, a shadow, a bright body).
                double sum = 0;
                foreach (var p in members[..area])
                {
                    sum += beforeContrast[p];
                }

                verdict = sum / area >= LeftContrast ? verdict : "not seen before";
            }

            blobs.Add(WithFeatures(new ChangeBlob(cx, cy, area, length, width, verdict, arrived) { RingChange = ringChange, Spread = spread, Seed = start, CoreShare = share }, withFeatures, labels, blobs.Count, before, after, mask, planes, beforeContrast, gsd, members[..area], hasNir, beforeScale, afterScale, cues));
        }

        return blobs;
    }

    /// <summary>The change blob features, in order.</summary>
    internal static readonly string[] FeatureNames =
    [
        "area_m2", "length_m", "width_m", "fill", "thickness_m", "darkening", "spread", "ring_change", "after_over_before", "green_share", "green_both",
        "before_contrast", "mean_change", "max_change", "noise", "shape_reject", "vegetation", "uniform", "dipole", "region", "not_seen_before",
        "rule_arrived", "neighbours", "neighbour_area_m2", "gsd", "rule_objects",
    ];

    internal const int FeatureCount = 26;

    /// <summary>Feature "rule_objects": the rules' count of the blob, negative for a blob read as left (the departures the pair count subtracts).</summary>
    internal const int RuleObjectsFeature = 25;

    /// <summary>Feature "rule_arrived": the direction test's reading (1 = arrived), taken for every blob.</summary>
    internal const int RuleArrivedFeature = 21;

    /// <summary>
    /// What the rules read of a blob: the direction test (<see cref="Direction"/>), the spread and darkening of its
    /// difference vectors (<see cref="Spread"/>), and how many of its pixels are green on either date and on both.
    /// </summary>
    private readonly record struct Cues(bool Arrived, double RingChange, double Ratio, double Spread, double Darkening, int Green, int GreenBoth);

    private static Cues ReadCues(TileRaster before, TileRaster after, ReadOnlySpan<byte> mask, ReadOnlySpan<float> planes, ReadOnlySpan<int> members, bool hasNir, float beforeScale, float afterScale)
    {
        var (arrived, ringChange, ratio) = Direction(before, after, mask, planes, members);
        var (spread, darkening) = Spread(planes, before.Width * before.Height, members);
        int green = 0, greenBoth = 0;
        foreach (var p in members)
        {
            var (b, a) = (ObjectCounter.IsGreen(before, p, hasNir, beforeScale), ObjectCounter.IsGreen(after, p, hasNir, afterScale));
            green += b || a ? 1 : 0;
            greenBoth += b && a ? 1 : 0;
        }

        return new Cues(arrived, ringChange, ratio, spread, darkening, green, greenBoth);
    }

    /// <summary>
    /// The blob with its place (<see cref="ChangeBlob.Index"/>; its pixels labelled when <paramref name="labels"/> is not
    /// empty) and, when <paramref name="withFeatures"/>, its features. <paramref name="cues"/> are those the rules read
    /// already (null for a blob rejected by shape, whose cues are read here).
    /// </summary>
    private static ChangeBlob WithFeatures(ChangeBlob blob, bool withFeatures, Span<int> labels, int index, TileRaster before, TileRaster after, ReadOnlySpan<byte> mask, ReadOnlySpan<float> planes, ReadOnlySpan<float> beforeContrast, double gsd, ReadOnlySpan<int> members, bool hasNir, float beforeScale, float afterScale, Cues? cues)
    {
        if (!labels.IsEmpty)
        {
            foreach (var p in members)
            {
                labels[p] = index + 1;
            }
        }

        blob = blob with { Index = index };
        if (!withFeatures)
        {
            return blob;
        }

        var n = before.Width * before.Height;
        var (arrived, ringChange, ratio, spread, darkening, green, greenBoth) = cues ?? ReadCues(before, after, mask, planes, members, hasNir, beforeScale, afterScale);
        double contrast = 0, change = 0, maxChange = 0, noise = 0;
        foreach (var p in members)
        {
            contrast += beforeContrast.Length == n ? beforeContrast[p] : 0;
            change += planes[3 * n + p];
            maxChange = Math.Max(maxChange, planes[3 * n + p]);
            noise += planes[4 * n + p];
        }

        var k = members.Length;
        var g = gsd;
        var f = new float[FeatureCount];
        f[0] = (float)(k * g * g);
        f[1] = (float)(blob.Length * g);
        f[2] = (float)(blob.Width * g);
        f[3] = (float)(k / Math.Max(1, blob.Length * blob.Width));
        f[4] = (float)(k / Math.Max(1, blob.Length) * g);
        f[5] = (float)darkening;
        f[6] = (float)spread;
        f[7] = (float)ringChange;
        f[8] = (float)ratio;
        f[9] = green / (float)k;
        f[10] = greenBoth / (float)k;
        f[11] = (float)(contrast / k);
        f[12] = (float)(change / k);
        f[13] = (float)maxChange;
        f[14] = (float)(noise / k);
        f[15] = blob.Verdict == "shape" ? 1 : 0;
        f[16] = blob.Verdict == "vegetation" ? 1 : 0;
        f[17] = blob.Verdict == "uniform" ? 1 : 0;
        f[18] = blob.Verdict == "dipole" ? 1 : 0;
        f[19] = blob.Verdict == "region" ? 1 : 0;
        f[20] = blob.Verdict == "not seen before" ? 1 : 0;
        f[21] = blob.Verdict == "shape" ? (arrived ? 1 : 0) : (blob.Arrived ? 1 : 0);
        f[24] = (float)g;
        return blob with { Features = f };
    }

    /// <summary>
    /// Whether the blob's pixels depart more from the ground around them (the unchanged pixels beside it)
    /// in the after image than in the before image: the date that holds the object is the one unlike its surroundings.
    /// Also the mean change of that ground over its threshold, and the log ratio of the after date's distance from it to
    /// the before date's.
    /// </summary>
    private static (bool Arrived, double RingChange, double Ratio) Direction(TileRaster before, TileRaster after, ReadOnlySpan<byte> mask, ReadOnlySpan<float> planes, ReadOnlySpan<int> members)
    {
        var (w, h) = (before.Width, before.Height);
        var plane = w * h;
        // Each member beside unchanged ground is compared with the mean of those neighbours on each date: the date that
        // holds the object differs from the ground beside it.
        var count = 0;
        double ringChange = 0, beforeDistance = 0, afterDistance = 0;
        Span<double> sum = stackalloc double[6];
        foreach (var p in members)
        {
            var (py, px) = (p / w, p % w);
            sum.Clear();
            var k = 0;
            for (var dy = -1; dy <= 1; dy++)
            {
                for (var dx = -1; dx <= 1; dx++)
                {
                    var (qx, qy) = (px + dx, py + dy);
                    if ((uint)qx >= (uint)w || (uint)qy >= (uint)h || mask[qy * w + qx] != 0)
                    {
                        continue;
                    }

                    var q = qy * w + qx;
                    ringChange += planes[3 * plane + q] / Math.Max(MinChange, NoiseFactor * planes[4 * plane + q]);
                    for (var b = 0; b < 3; b++)
                    {
                        sum[b] += before.Data[b * plane + q];
                        sum[3 + b] += after.Data[b * plane + q];
                    }

                    k++;
                }
            }

            if (k == 0)
            {
                continue;
            }

            count += k;
            for (var b = 0; b < 3; b++)
            {
                var db = before.Data[b * plane + p] - sum[b] / k;
                var da = after.Data[b * plane + p] - sum[3 + b] / k;
                beforeDistance += db * db;
                afterDistance += da * da;
            }
        }

        if (count == 0)
        {
            return (true, 0, 0);
        }

        return (afterDistance >= beforeDistance, ringChange / count, Math.Log((afterDistance + 1) / (beforeDistance + 1)));
    }

    private static ReadOnlySpan<int> Deciles => [1, 5, 9];

    /// <summary>Histogram bins of the percentiles.</summary>
    private const int PercentileBins = 1024;

    /// <summary>Every how many pixels (in row-major order) the percentiles are read from.</summary>
    private const int PercentileStride = 3;

    /// <summary>The 10th, 50th and 90th percentiles of the valid values (<paramref name="valid"/> 1), read from every <see cref="PercentileStride"/>th pixel, to 1/1024 of their range.</summary>
    private static (float P10, float P50, float P90) Percentiles(ReadOnlySpan<float> values, ReadOnlySpan<byte> valid)
    {
        float low = float.MaxValue, high = float.MinValue;
        for (var i = 0; i < values.Length; i += PercentileStride)
        {
            if (valid[i] == 1)
            {
                (low, high) = (Math.Min(low, values[i]), Math.Max(high, values[i]));
            }
        }

        if (!(high > low))
        {
            return (Math.Min(low, high), Math.Min(low, high), Math.Min(low, high));
        }

        Span<int> histogram = stackalloc int[PercentileBins];
        histogram.Clear();
        var scale = (PercentileBins - 1) / (high - low);
        var sampled = 0;
        for (var i = 0; i < values.Length; i += PercentileStride)
        {
            if (valid[i] == 1)
            {
                histogram[(int)((values[i] - low) * scale)]++;
                sampled++;
            }
        }

        Span<float> quartiles = stackalloc float[3];
        var (seen, q) = (0, 0);
        for (var bin = 0; bin < PercentileBins && q < 3; bin++)
        {
            seen += histogram[bin];
            while (q < 3 && 10L * seen >= Deciles[q] * (long)sampled)
            {
                quartiles[q++] = low + (bin + 0.5f) / scale;
            }
        }

        return (quartiles[0], quartiles[1], quartiles[2]);
    }

    /// <summary>Histogram bins of the local median.</summary>
    private const int MedianBins = 256;

    /// <summary>
    /// Writes to <paramref name="result"/> the median of <paramref name="v"/>'s valid pixels (<paramref name="valid"/> 1;
    /// every second pixel of every second row) over blocks of <paramref name="block"/> pixels, interpolated bilinearly between block centres; the median is read
    /// from a histogram of <see cref="MedianBins"/> bins of <paramref name="binWidth"/> from <paramref name="low"/> (values
    /// beyond fall in the end bins).
    /// </summary>
    private static void LocalMedian(ReadOnlySpan<float> v, ReadOnlySpan<byte> valid, int w, int h, int block, float low, float binWidth, Span<float> result)
    {
        var (gx, gy) = ((w + block - 1) / block, (h + block - 1) / block);
        Span<float> medians = gx * gy <= 256 ? stackalloc float[gx * gy] : new float[gx * gy];
        Span<int> histogram = stackalloc int[MedianBins];
        var inverse = 1f / binWidth;
        for (var j = 0; j < gy; j++)
        {
            for (var i = 0; i < gx; i++)
            {
                histogram.Clear();
                var total = 0;
                for (var y = j * block; y < Math.Min(h, (j + 1) * block); y += 2)
                {
                    for (var x = i * block; x < Math.Min(w, (i + 1) * block); x += 2)
                    {
                        var p = y * w + x;
                        if (valid[p] == 1)
                        {
                            histogram[Math.Clamp((int)((v[p] - low) * inverse), 0, MedianBins - 1)]++;
                            total++;
                        }
                    }
                }

                medians[j * gx + i] = total == 0 ? float.NaN : low + (BlockLattice.MedianBin(histogram, total) + 0.5f) * binWidth;
            }
        }

        // Blocks without valid pixels take the mean of the others (0 when none).
        float sum = 0;
        var counted = 0;
        foreach (var value in medians)
        {
            (sum, counted) = float.IsNaN(value) ? (sum, counted) : (sum + value, counted + 1);
        }

        for (var k = 0; k < medians.Length; k++)
        {
            medians[k] = float.IsNaN(medians[k]) ? (counted == 0 ? 0f : sum / counted) : medians[k];
        }

        BlockLattice.Interpolate(medians, gx, gy, block, w, h, result);
    }
}
