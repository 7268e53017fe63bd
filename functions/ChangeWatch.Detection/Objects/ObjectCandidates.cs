using System.Buffers;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

public static partial class ObjectCounter
{
    /// <summary>
    /// Least dark or bright small-feature contrast of a candidate pixel for the learned count (units where the tile's mean
    /// brightness is 120): well under <see cref="MinContrast"/>, so low-contrast vehicles (olive on grass, tan on light
    /// ground, bodies at 0.5 m) are candidates and the model, not a threshold, decides.
    /// </summary>
    internal const float CandidateContrast = 40f;

    /// <summary>A candidate pixel's contrast is at least this many times the local clutter level.</summary>
    internal const float CandidateClutterFactor = 2f;

    /// <summary>Radius, metres, within which other candidates count as a blob's neighbours (a park's rows, a convoy).</summary>
    internal const double NeighbourMetres = 15.0;

    /// <summary>The candidate features, in order (physical units: metres, m², contrast where the tile's mean brightness is 120).</summary>
    internal static readonly string[] CandidateFeatureNames =
    [
        "area_m2", "length_m", "width_m", "fill", "dark_share", "bright_share", "strict_share",
        "mean_dark", "max_dark", "mean_bright", "max_bright", "clutter", "max_dark_over_clutter",
        "ring_foreign", "ring_brightness", "minus_ring_red", "minus_ring_green", "minus_ring_blue", "ring_nodata", "ring_objects",
        "green_share", "excess_green", "ndvi", "neighbours", "neighbour_area_m2", "dark_bright_offset_m", "gsd",
    ];

    /// <summary>Number of candidate features (<see cref="CandidateFeatureNames"/>).</summary>
    internal const int CandidateFeatureCount = 27;

    /// <summary>One candidate blob: centroid (tile pixels), area (pixels) and its features (<see cref="CandidateFeatureNames"/>).</summary>
    internal readonly record struct Candidate(double X, double Y, int Area, double CoreShare, float[] Features);

    /// <summary>
    /// Every candidate object blob of one image: 8-connected pixels of dark or bright small-feature contrast at least
    /// <see cref="CandidateContrast"/> and <see cref="CandidateClutterFactor"/> × the clutter level, of any size (a park's
    /// rows merge into one blob; a field's texture too: the model tells them apart), with the features the learned count
    /// reads and the share of it a tile with core <paramref name="core"/> counts (<see cref="BlobShape.CoreShare"/>). When
    /// <paramref name="labels"/> is not empty (one int per pixel) each candidate's pixels are set to its index + 1 and every
    /// other pixel to 0; when <paramref name="smallFeatureContrast"/> is not empty each pixel's larger of the dark and
    /// bright small-feature contrast is written to it (as the rule count's <see cref="SmallFeatureContrast"/>).
    /// </summary>
    internal static List<Candidate> Candidates(TileRaster image, double groundSampleDistance, PixelWindow core, Span<int> labels, Span<float> smallFeatureContrast = default) =>
        Candidates(image, groundSampleDistance, core, labels, smallFeatureContrast, default);

    /// <summary>
    /// As <see cref="Candidates(TileRaster, double, PixelWindow, Span{int}, Span{float})"/>, and writes the per-pixel planes the
    /// candidates were found on to <paramref name="planes"/> (each span empty or one float per tile pixel).
    /// </summary>
    internal static List<Candidate> Candidates(TileRaster image, double groundSampleDistance, PixelWindow core, Span<int> labels, Span<float> smallFeatureContrast, CandidatePlanes planes)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.BandCount < 3)
        {
            throw new ArgumentException("Object counting needs R, G and B bands.", nameof(image));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groundSampleDistance);
        var (w, h) = (image.Width, image.Height);
        var n = w * h;
        if (!labels.IsEmpty && labels.Length != n)
        {
            throw new ArgumentException("The label plane needs one int per tile pixel.", nameof(labels));
        }

        var floats = ArrayPool<float>.Shared.Rent(6 * n);
        var ints = ArrayPool<int>.Shared.Rent(2 * n);
        var mask = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            var contrast = floats.AsSpan(0, n);
            var band = floats.AsSpan(n, n);
            var clutter = floats.AsSpan(2 * n, n);
            var scratch = floats.AsSpan(3 * n, n);
            var closed = floats.AsSpan(4 * n, n);
            var bright = floats.AsSpan(5 * n, n);
            var m = mask.AsSpan(0, n);
            var scale = SmallFeaturePlanes(image, groundSampleDistance, contrast, bright, clutter, band, scratch, closed, ints.AsSpan(0, n), m, smallFeatureContrast);
            planes.CopyFrom(contrast, bright, clutter);
            for (var i = 0; i < n; i++)
            {
                var floor = Math.Max(CandidateContrast, CandidateClutterFactor * clutter[i]);
                m[i] = band[i] < NoDataFill && (contrast[i] >= floor || bright[i] >= floor) ? (byte)1 : (byte)0;
            }

            if (!labels.IsEmpty)
            {
                labels.Clear();
            }

            var candidates = new List<Candidate>();
            var stack = ints.AsSpan(0, n);
            var members = ints.AsSpan(n, n);
            var g = groundSampleDistance;
            var minPixels = Math.Max(3, (int)Math.Ceiling(1.0 / (g * g)));
            var hasNir = image.BandCount > 3;
            var plane = n;
            var data = image.Data;
            for (var start = 0; start < n; start++)
            {
                if (m[start] != 1)
                {
                    continue;
                }

                var area = BlobCounter.Collect(m, w, h, start, 1, 2, stack, members);
                if (area < minPixels)
                {
                    continue;
                }

                var blob = members[..area];
                var shape = BlobShape.Of(blob, w);
                var length = Math.Sqrt(12 * shape.MajorVariance);
                var width = Math.Sqrt(12 * shape.MinorVariance);

                int dark = 0, brightCount = 0, strict = 0, green = 0;
                double sumDark = 0, maxDark = 0, sumBright = 0, maxBright = 0, sumClutter = 0, excess = 0, ndvi = 0;
                double sr = 0, sg = 0, sb = 0, dx = 0, dy = 0, bx = 0, by = 0;
                foreach (var p in blob)
                {
                    var floor = Math.Max(CandidateContrast, CandidateClutterFactor * clutter[p]);
                    var (px, py) = (p % w, p / w);
                    if (contrast[p] >= floor)
                    {
                        dark++;
                        (dx, dy) = (dx + px, dy + py);
                    }

                    if (bright[p] >= floor)
                    {
                        brightCount++;
                        (bx, by) = (bx + px, by + py);
                    }

                    strict += contrast[p] >= Math.Max(MinContrast, ClutterFactor * clutter[p]) ? 1 : 0;
                    sumDark += contrast[p];
                    maxDark = Math.Max(maxDark, contrast[p]);
                    sumBright += bright[p];
                    maxBright = Math.Max(maxBright, bright[p]);
                    sumClutter += clutter[p];
                    green += IsGreen(image, p, hasNir, scale) ? 1 : 0;
                    var (r, gr, b) = (data[p], data[plane + p], data[2 * plane + p]);
                    (sr, sg, sb) = (sr + r, sg + gr, sb + b);
                    excess += (gr - (r + b) / 2) * scale;
                    if (hasNir)
                    {
                        var nir = data[3 * plane + p];
                        ndvi += (nir - r) / Math.Max(1e-6, nir + r);
                    }
                }

                var ring = Ring(image, m, contrast, bright, blob, shape, ForeignTolerance / scale);
                var offset = dark > 0 && brightCount > 0 ? Math.Sqrt(Math.Pow(dx / dark - bx / brightCount, 2) + Math.Pow(dy / dark - by / brightCount, 2)) * g : 0;
                var clutterMean = sumClutter / area;
                var features = new float[CandidateFeatureCount];
                var f = 0;
                features[f++] = (float)(area * g * g);
                features[f++] = (float)(length * g);
                features[f++] = (float)(width * g);
                features[f++] = (float)(area / Math.Max(1, length * width));
                features[f++] = dark / (float)area;
                features[f++] = brightCount / (float)area;
                features[f++] = strict / (float)area;
                features[f++] = (float)(sumDark / area);
                features[f++] = (float)maxDark;
                features[f++] = (float)(sumBright / area);
                features[f++] = (float)maxBright;
                features[f++] = (float)clutterMean;
                features[f++] = (float)(maxDark / Math.Max(1, clutterMean));
                features[f++] = (float)ring.Foreign;
                features[f++] = (float)(ring.Brightness * scale);
                features[f++] = (float)((sr / area - ring.Red) * scale);
                features[f++] = (float)((sg / area - ring.Green) * scale);
                features[f++] = (float)((sb / area - ring.Blue) * scale);
                features[f++] = (float)ring.NoData;
                features[f++] = (float)ring.Objects;
                features[f++] = green / (float)area;
                features[f++] = (float)(excess / area);
                features[f++] = hasNir ? (float)(ndvi / area) : -2f;
                f += 2; // neighbours, filled below
                features[f++] = (float)offset;
                features[f++] = (float)g;
                if (!labels.IsEmpty)
                {
                    foreach (var p in blob)
                    {
                        labels[p] = candidates.Count + 1;
                    }
                }

                candidates.Add(new Candidate(shape.MeanX + 0.5, shape.MeanY + 0.5, area, shape.CoreShare(blob, w, h, core), features));
            }

            // Neighbours: a park's rows and a convoy are many candidates close together; lone clutter is not.
            var reach = NeighbourMetres / g;
            for (var i = 0; i < candidates.Count; i++)
            {
                int count = 0;
                double neighbourArea = 0;
                for (var j = 0; j < candidates.Count; j++)
                {
                    if (i != j && Math.Abs(candidates[i].X - candidates[j].X) <= reach && Math.Abs(candidates[i].Y - candidates[j].Y) <= reach
                        && Math.Pow(candidates[i].X - candidates[j].X, 2) + Math.Pow(candidates[i].Y - candidates[j].Y, 2) <= reach * reach)
                    {
                        count++;
                        neighbourArea += candidates[j].Area * g * g;
                    }
                }

                candidates[i].Features[23] = count;
                candidates[i].Features[24] = (float)neighbourArea;
            }

            return candidates;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(mask);
            ArrayPool<int>.Shared.Return(ints);
            ArrayPool<float>.Shared.Return(floats);
        }
    }

    /// <summary>Optional outputs of <see cref="Candidates(TileRaster, double, PixelWindow, Span{int}, Span{float}, CandidatePlanes)"/>: each pixel's dark and bright small-feature contrast and clutter level.</summary>
    internal readonly ref struct CandidatePlanes(Span<float> dark, Span<float> bright, Span<float> clutter)
    {
        public Span<float> Dark { get; } = dark;

        public Span<float> Bright { get; } = bright;

        public Span<float> Clutter { get; } = clutter;

        public void CopyFrom(ReadOnlySpan<float> dark, ReadOnlySpan<float> bright, ReadOnlySpan<float> clutter)
        {
            if (!Dark.IsEmpty)
            {
                dark.CopyTo(Dark);
            }

            if (!Bright.IsEmpty)
            {
                bright.CopyTo(Bright);
            }

            if (!Clutter.IsEmpty)
            {
                clutter.CopyTo(Clutter);
            }
        }
    }

    /// <summary>The ring around a candidate: its mean colour (image units), brightness, foreign fraction (as <see cref="ForeignRingFraction"/>), no-data share and share of other candidates' pixels.</summary>
    private readonly record struct RingFigures(double Red, double Green, double Blue, double Brightness, double Foreign, double NoData, double Objects);

    private static RingFigures Ring(TileRaster image, Span<byte> mask, ReadOnlySpan<float> contrast, ReadOnlySpan<float> bright, ReadOnlySpan<int> members, BlobShape shape, float tolerance)
    {
        var (w, h) = (image.Width, image.Height);
        var plane = w * h;
        var data = image.Data;
        foreach (var p in members)
        {
            mask[p] = 3;
        }

        var (x0, y0, x1, y1) = (Math.Max(0, shape.X0 - 2), Math.Max(0, shape.Y0 - 2), Math.Min(w - 1, shape.X1 + 2), Math.Min(h - 1, shape.Y1 + 2));
        double mr = 0, mg = 0, mb = 0;
        int ring = 0, all = 0, noData = 0, objects = 0;
        for (var y = y0; y <= y1; y++)
        {
            for (var x = x0; x <= x1; x++)
            {
                var p = y * w + x;
                if (mask[p] == 3)
                {
                    continue;
                }

                all++;
                if (!float.IsFinite(data[p]))
                {
                    noData++;
                    continue;
                }

                if (mask[p] != 0)
                {
                    objects++;
                }

                if (contrast[p] >= MinContrast / 2 || bright[p] >= MinContrast / 2)
                {
                    continue;
                }

                (mr, mg, mb) = (mr + data[p], mg + data[plane + p], mb + data[2 * plane + p]);
                ring++;
            }
        }

        var foreign = 0;
        if (ring > 0)
        {
            (mr, mg, mb) = (mr / ring, mg / ring, mb / ring);
            for (var y = y0; y <= y1; y++)
            {
                for (var x = x0; x <= x1; x++)
                {
                    var p = y * w + x;
                    if (mask[p] == 3 || !float.IsFinite(data[p]) || contrast[p] >= MinContrast / 2 || bright[p] >= MinContrast / 2)
                    {
                        continue;
                    }

                    var (dr, dg, db) = (data[p] - mr, data[plane + p] - mg, data[2 * plane + p] - mb);
                    foreign += dr * dr + dg * dg + db * db > tolerance * tolerance ? 1 : 0;
                }
            }
        }

        foreach (var p in members)
        {
            mask[p] = 2;
        }

        return new RingFigures(mr, mg, mb, (mr + mg + mb) / 3, ring == 0 ? 1 : foreign / (double)ring, all == 0 ? 0 : noData / (double)all, all == 0 ? 0 : objects / (double)all);
    }
}
