using System.Buffers;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// Counts vehicles and equipment in one image at its ground sample distance (GSD): small compact blobs whose colour
/// differs from the local background (the mean over a window about 4 vehicle lengths wide) by more than the tile's own
/// clutter level, of vehicle size in square metres (<see cref="MinAreaSquareMetres"/> to <see cref="MaxAreaSquareMetres"/>,
/// at most <see cref="MaxExtentMetres"/> a side, at least a quarter of their bounding box filled), and not vegetation
/// (NDVI when a NIR band exists, else excess green). A blob and its shadow count once. Only blobs whose centroid
/// lies in the given core window are counted, so tiles whose cores tile the plane never count an object twice.
/// Below the resolution where a car covers a few pixels (<see cref="MaxGroundSampleDistance"/>) nothing is counted
/// (<see cref="Count(TileRaster, TileRaster, double?, int)"/> returns null: "not measured").
/// Memory: scratch rented from <see cref="ArrayPool{T}"/>, about 40 bytes per pixel, returned before the call ends.
/// Thread-safe (no shared state).
/// </summary>
public static class ObjectCounter
{
    /// <summary>Smallest blob counted, m² (a car with part of it lost in the background).</summary>
    public const double MinAreaSquareMetres = 2.0;

    /// <summary>Largest blob counted, m² (a truck or a piece of equipment with its shadow).</summary>
    public const double MaxAreaSquareMetres = 60.0;

    /// <summary>Area of a typical vehicle's blob (body and shadow), m²: touching vehicles count as their blob's area over it.</summary>
    public const double TypicalAreaSquareMetres = 20.0;

    /// <summary>Largest bounding-box side counted, metres.</summary>
    public const double MaxExtentMetres = 14.0;

    /// <summary>Coarsest GSD (metres per pixel) at which objects are counted: a car of 8 m² then covers about 4 pixels.</summary>
    public const double MaxGroundSampleDistance = 1.5;

    /// <summary>Side of the square, metres, wider than any vehicle with its shadow: features narrower than it are objects.</summary>
    public const double StructuringMetres = 7.0;

    /// <summary>Least small-feature colour contrast of an object pixel, in units where the tile's mean brightness is 120.</summary>
    public const float MinContrast = 50f;

    /// <summary>An object pixel's contrast is at least this many times the local mean small-feature contrast (see <see cref="ClutterWindowMetres"/>).</summary>
    public const float ClutterFactor = 3f;

    /// <summary>Width of the window, metres, over which the clutter level is averaged.</summary>
    public const double ClutterWindowMetres = 40.0;

    /// <summary>Least mean thickness (area over the longer bounding-box side), metres (at least 1.8 px): crop-row and edge slivers are thinner.</summary>
    public const double MinThicknessMetres = 1.2;

    /// <summary>Fewest pixels a blob needs whatever the GSD (single noisy pixels are never objects).</summary>
    public const int MinPixels = 4;

    /// <summary>
    /// Excess green G − (R + B) / 2, in units where the tile's mean brightness is 120, at or above which an RGB pixel reads
    /// as vegetation (trees about 30, grey or olive vehicles at most 15; a difference, so haze and offsets move it little);
    /// a blob with a quarter of its pixels so reads as vegetation.
    /// </summary>
    public const double VegetationExcessGreen = 24;

    /// <summary>NDVI at or above which a pixel reads as vegetation (NIR band present); a blob with a quarter of its pixels so reads as vegetation.</summary>
    public const double VegetationNdvi = 0.38;

    /// <summary>
    /// Counts objects in the core of a tile pair: the core starts <paramref name="coreMargin"/> pixels in from each edge
    /// (half the grid overlap). Returns null when the GSD is unknown or coarser than <see cref="MaxGroundSampleDistance"/>,
    /// or the core is empty.
    /// </summary>
    /// <param name="before">Baseline tile (R, G, B first; band 4, when present, is NIR; NaN = no data).</param>
    /// <param name="after">New tile, same size and bands.</param>
    /// <param name="groundSampleDistance">Metres per pixel, or null when unknown.</param>
    /// <param name="coreMargin">Pixels of context on each side of the core, ≥ 0.</param>
    public static ObjectCounts? Count(TileRaster before, TileRaster after, double? groundSampleDistance, int coreMargin)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentOutOfRangeException.ThrowIfNegative(coreMargin);
        if (groundSampleDistance is not { } gsd || !double.IsFinite(gsd) || gsd <= 0 || gsd > MaxGroundSampleDistance)
        {
            return null;
        }

        var core = new PixelWindow(coreMargin, coreMargin, before.Width - 2 * coreMargin, before.Height - 2 * coreMargin);
        if (core.Width <= 0 || core.Height <= 0)
        {
            return null;
        }

        return new ObjectCounts(Count(before, gsd, core), Count(after, gsd, core));
    }

    /// <summary>Counts objects of one image whose centroid lies in <paramref name="core"/> (tile pixels). Needs 3 or more bands.</summary>
    public static int Count(TileRaster image, double groundSampleDistance, PixelWindow core) => Count(image, groundSampleDistance, core, null);

    /// <summary>As <see cref="Count(TileRaster, double, PixelWindow)"/>, and adds each blob examined (centroid, area, whether counted) to <paramref name="examined"/>.</summary>
    internal static int Count(TileRaster image, double groundSampleDistance, PixelWindow core, List<(double X, double Y, int Area, int Width, int Height, double Green, string Verdict)>? examined)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.BandCount < 3)
        {
            throw new ArgumentException("Object counting needs R, G and B bands.", nameof(image));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groundSampleDistance);
        var (w, h) = (image.Width, image.Height);
        var n = w * h;
        var floats = ArrayPool<float>.Shared.Rent(5 * n);
        var ints = ArrayPool<int>.Shared.Rent(2 * n);
        var mask = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            var contrast = floats.AsSpan(0, n);
            var band = floats.AsSpan(n, n);
            var work = floats.AsSpan(2 * n, n);
            var scratch = floats.AsSpan(3 * n, n);
            var closed = floats.AsSpan(4 * n, n);
            var pixelArea = groundSampleDistance * groundSampleDistance;

            // Dark small-feature contrast per band: closing minus the image, with a square wider than a vehicle. It is
            // zero on flat ground and on step edges (field and road borders), equals the contrast of anything darker and
            // narrower than the square (a vehicle's body or, for a bright vehicle, its shadow), and is zero on the
            // ground between the vehicles of a park, so they stay apart.
            var radius = Math.Max(1, (int)Math.Round(StructuringMetres / 2 / groundSampleDistance));
            contrast.Clear();
            for (var b = 0; b < 3; b++)
            {
                var source = image.Band(b);
                for (var i = 0; i < n; i++)
                {
                    // No-data reads as very bright: the closing then neither spreads it into valid pixels nor sees objects in it.
                    band[i] = float.IsFinite(source[i]) ? source[i] : NoDataFill;
                }

                GreyMorphology.Filter(band, w, h, radius, max: true, work, scratch);
                GreyMorphology.Filter(work, w, h, radius, max: false, closed, scratch);
                for (var i = 0; i < n; i++)
                {
                    var d = (closed[i] >= NoDataFill ? band[i] : closed[i]) - band[i];
                    contrast[i] += float.IsFinite(source[i]) ? d * d : 0f;
                }
            }

            // Contrast in units where the tile's mean brightness is 120 (so 0-255 and 0-10000 imagery read alike).
            var scale = BrightnessScale(image);
            for (var i = 0; i < n; i++)
            {
                contrast[i] = MathF.Sqrt(contrast[i]) * scale;
            }

            // Clutter level: the local mean small-feature contrast over a wide window (crop rows, grass texture, noise);
            // object pixels stand well above it.
            var clutterRadius = Math.Max(4, (int)Math.Round(ClutterWindowMetres / 2 / groundSampleDistance));
            var integral = ArrayPool<double>.Shared.Rent(BoxFilter.IntegralLength(w, h));
            try
            {
                BoxFilter.Mean(contrast, w, h, clutterRadius, work, integral);
            }
            finally
            {
                ArrayPool<double>.Shared.Return(integral);
            }

            var m = mask.AsSpan(0, n);
            for (var i = 0; i < n; i++)
            {
                m[i] = contrast[i] >= Math.Max(MinContrast, ClutterFactor * work[i]) ? (byte)1 : (byte)0;
            }

            var limits = new BlobLimits(
                Math.Max(MinPixels, (int)Math.Ceiling(MinAreaSquareMetres / pixelArea)),
                (int)Math.Floor(MaxAreaSquareMetres / pixelArea),
                Math.Max(2, (int)Math.Floor(MaxExtentMetres / groundSampleDistance)),
                Math.Max(1.8, MinThicknessMetres / groundSampleDistance),
                TypicalAreaSquareMetres / pixelArea);
            return CountBlobs(image, m, contrast, scale, core, limits, ints.AsSpan(0, n), ints.AsSpan(n, n), examined);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(mask);
            ArrayPool<int>.Shared.Return(ints);
                        ArrayPool<float>.Shared.Return(floats);
        }
    }

    private const float NoDataFill = float.MaxValue;

    /// <summary>Largest fraction of a blob's surrounding ring that may share its colour (more: part of a larger region).</summary>
    private const double MaxSimilarRing = 0.3;

    private const double ReferenceBrightness = 120.0;

    private readonly record struct BlobLimits(int MinPixels, int MaxPixels, int MaxExtent, double MinThickness, double TypicalPixels);

    private static int CountBlobs(TileRaster image, Span<byte> mask, ReadOnlySpan<float> contrast, float scale, PixelWindow core, BlobLimits limits, Span<int> stack, Span<int> members, List<(double X, double Y, int Area, int Width, int Height, double Green, string Verdict)>? examined)
    {
        var (w, h) = (image.Width, image.Height);
        var n = w * h;
        var hasNir = image.BandCount > 3;
        var count = 0;
        for (var start = 0; start < n; start++)
        {
            if (mask[start] != 1)
            {
                continue;
            }

            // Visited pixels are marked 2; the component's members are collected for its colour.
            var top = 0;
            var area = 0;
            stack[top++] = start;
            mask[start] = 2;
            int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
            long sx = 0, sy = 0;
            while (top > 0)
            {
                var p = stack[--top];
                if (area < members.Length)
                {
                    members[area] = p;
                }

                area++;
                var py = p / w;
                var px = p - py * w;
                sx += px;
                sy += py;
                x0 = Math.Min(x0, px);
                x1 = Math.Max(x1, px);
                y0 = Math.Min(y0, py);
                y1 = Math.Max(y1, py);
                for (var dy = -1; dy <= 1; dy++)
                {
                    var ny = py + dy;
                    if ((uint)ny >= (uint)h)
                    {
                        continue;
                    }

                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var nx = px + dx;
                        if ((uint)nx < (uint)w && mask[ny * w + nx] == 1)
                        {
                            mask[ny * w + nx] = 2;
                            stack[top++] = ny * w + nx;
                        }
                    }
                }
            }

            var (cx, cy) = ((double)sx / area + 0.5, (double)sy / area + 0.5);
            if (cx < core.X || cy < core.Y || cx >= core.X + core.Width || cy >= core.Y + core.Height)
            {
                continue;
            }

            var (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
            var thin = area * 4 < bw * bh || area < limits.MinThickness * Math.Max(bw, bh);

            // Vehicles parked or driving close together can touch: a blob up to 4 vehicles' worth, at most 3 vehicle
            // lengths a side, counts as its area over a typical vehicle's (body and shadow).
            var objects = 1;
            if (area > limits.MaxPixels && area <= 3 * limits.MaxPixels && bw <= 2 * limits.MaxExtent && bh <= 2 * limits.MaxExtent && !thin)
            {
                objects = Math.Max(2, (int)Math.Round(area / limits.TypicalPixels));
            }
            else if (area < limits.MinPixels || area > limits.MaxPixels || bw > limits.MaxExtent || bh > limits.MaxExtent || thin)
            {
                if (area >= 3)
                {
                    examined?.Add((cx, cy, area, bw, bh, double.NaN, "shape"));
                }

                continue;
            }

            // A blob that is the rounded-off corner or edge of a larger dark region (a field, a tree row) is surrounded
            // in part by pixels of its own colour; a vehicle is surrounded by ground.
            if (SimilarRingFraction(image, mask, members[..area], x0, y0, x1, y1, MinContrast / 2 / scale) > MaxSimilarRing)
            {
                examined?.Add((cx, cy, area, bw, bh, double.NaN, "region"));
                continue;
            }

            // Vegetation (trees, hedges and their shadows) reads by its green pixels: a quarter of the blob, or a dark
            // green pixel (a tree crown) within 2 px of the blob's box.
            var green = 0;
            foreach (var p in members[..area])
            {
                green += IsGreen(image, p, hasNir, scale) ? 1 : 0;
            }

            var greenFraction = green / (double)area;
            var vegetation = greenFraction >= 0.35;
            for (var y = Math.Max(0, y0 - 2); y <= Math.Min(h - 1, y1 + 2) && !vegetation; y++)
            {
                for (var x = Math.Max(0, x0 - 2); x <= Math.Min(w - 1, x1 + 2) && !vegetation; x++)
                {
                    var p = y * w + x;
                    vegetation = contrast[p] >= MinContrast && IsGreen(image, p, hasNir, scale);
                }
            }

            examined?.Add((cx, cy, area, bw, bh, greenFraction, vegetation ? "vegetation" : "object"));
            if (!vegetation)
            {
                count += objects;
            }
        }

        return count;
    }

    /// <summary>
    /// The fraction of pixels in a 2-px ring around the blob's box (blob pixels excluded) whose colour lies within
    /// <paramref name="tolerance"/> (image units) of the blob's mean colour.
    /// </summary>
    private static double SimilarRingFraction(TileRaster image, Span<byte> mask, ReadOnlySpan<int> members, int x0, int y0, int x1, int y1, float tolerance)
    {
        var (w, h) = (image.Width, image.Height);
        var plane = w * h;
        var data = image.Data;
        double mr = 0, mg = 0, mb = 0;
        foreach (var p in members)
        {
            mr += Finite(data[p]);
            mg += Finite(data[plane + p]);
            mb += Finite(data[2 * plane + p]);
            mask[p] = 3;
        }

        (mr, mg, mb) = (mr / members.Length, mg / members.Length, mb / members.Length);
        int ring = 0, similar = 0;
        for (var y = Math.Max(0, y0 - 2); y <= Math.Min(h - 1, y1 + 2); y++)
        {
            for (var x = Math.Max(0, x0 - 2); x <= Math.Min(w - 1, x1 + 2); x++)
            {
                var p = y * w + x;
                if (mask[p] == 3 || (x >= x0 && x <= x1 && y >= y0 && y <= y1) || !float.IsFinite(data[p]))
                {
                    continue;
                }

                ring++;
                var (dr, dg, db) = (data[p] - mr, data[plane + p] - mg, data[2 * plane + p] - mb);
                similar += dr * dr + dg * dg + db * db <= tolerance * tolerance ? 1 : 0;
            }
        }

        foreach (var p in members)
        {
            mask[p] = 2;
        }

        return ring == 0 ? 0 : similar / (double)ring;
    }

    private static float BrightnessScale(TileRaster image)
    {
        double sum = 0;
        long count = 0;
        for (var b = 0; b < 3; b++)
        {
            foreach (var v in image.Band(b))
            {
                if (float.IsFinite(v))
                {
                    sum += v;
                    count++;
                }
            }
        }

        var mean = count == 0 ? 0 : sum / count;
        return mean > 1e-6 ? (float)(ReferenceBrightness / mean) : 1f;
    }

    private static bool IsGreen(TileRaster image, int p, bool hasNir, float scale)
    {
        var plane = image.Width * image.Height;
        var data = image.Data;
        var (r, g, b) = (Finite(data[p]), Finite(data[plane + p]), Finite(data[2 * plane + p]));
        if (hasNir)
        {
            var nir = Finite(data[3 * plane + p]);
            return (nir - r) / Math.Max(1e-6, nir + r) >= VegetationNdvi;
        }

        return (g - (r + b) / 2) * scale >= VegetationExcessGreen;
    }

    private static double Finite(float v) => float.IsFinite(v) ? v : 0;
}
