using System.Buffers;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// Counts vehicles and equipment at the image's ground sample distance (GSD). One image: small compact blobs darker than
/// the local background (the lower of the closing over a square wider than a vehicle and the grey-level hole filling, on
/// the brightness; no-data counts as open ground beyond the image) by more than <see cref="MinContrast"/> and the
/// tile's own clutter level (<see cref="ClutterFactor"/> × the local median small-feature contrast over about
/// <see cref="ClutterWindowMetres"/>, so a dense park does not raise its own threshold), not part of a larger structure
/// (ring test), and not vegetation (NDVI when a NIR band exists, else excess green). A blob of up to 1.5 typical vehicle
/// areas, or elongated and of one vehicle's size (at most
/// <see cref="MaxVehicleLengthMetres"/> × <see cref="MaxVehicleWidthMetres"/>), counts one; touching vehicles (a park's
/// rows, up to <see cref="MaxGroupLengthMetres"/> long) count as the blob's area over the typical single vehicle's,
/// measured on the isolated vehicles of the tile or, with fewer than three of them, <see cref="TypicalAreaSquareMetres"/>.
/// A tile pair (<see cref="Count(TileRaster, TileRaster, double?, int)"/>): the before image's vehicles, and those that
/// arrived, are counted by the learned model <see cref="VehicleCountModel.Shipped"/> over candidate blobs (looser than
/// the rules above: <see cref="Candidates(TileRaster, double, PixelWindow, Span{int}, Span{float})"/>) or, for a model
/// that counts by keypoints, over <see cref="VehicleKeypoints"/>, or, for one that counts by density, by the sum of
/// <see cref="VehicleDensityNetwork"/>'s map over the core (with model.json <c>afterUnit</c> <c>density</c> each date so,
/// on its own; with <c>density-where-arrivals</c> the after image too where the change counts arrivals, at least the
/// change's count), and over the change blobs of <see cref="ChangeObjectCounter"/>; what left
/// is counted by its rules (for a model that <see cref="VehicleCountModel.GatesDepartures"/>, only where the before
/// count's candidates hold a vehicle): after = before − left + arrived, so static clutter read as objects is the same on both dates
/// and the change is counted where the ground around it is the same. A blob counts in the given core window by
/// <see cref="BlobShape.CoreShare"/> (wholly where its centroid lies, or, when a tile's edge may cut it, by the share of
/// its pixels in the core), so tiles whose cores tile the plane count each object once. Below the resolution where a car covers a few pixels
/// (<see cref="MaxGroundSampleDistance"/>) nothing is counted (the pair count returns null: "not measured").
/// Known limits (synthetic scenes at 1 m, where a car is 4.5 × 1.8 px): one image's count of static vehicles misses
/// vehicles of low contrast (olive on grass, tan on light ground) and reads some building shadows and tree rims as
/// vehicles; arrivals on roofs or beside static structures can be read as departures. Memory: scratch rented from
/// <see cref="ArrayPool{T}"/>, about 33 bytes per pixel (about 32 more with a model that counts by keypoints: a label
/// plane, <see cref="VehicleKeypoints"/>' five float planes and one summed-area table of doubles), returned before the
/// call ends. Thread-safe (no shared state).
/// </summary>
public static partial class ObjectCounter
{
    /// <summary>Smallest blob counted, m² (a car with part of it lost in the background).</summary>
    public const double MinAreaSquareMetres = 2.0;

    /// <summary>Area of a typical vehicle's blob (body and shadow), m², used when a tile has fewer than three isolated vehicles to measure it on.</summary>
    public const double TypicalAreaSquareMetres = 12.0;

    /// <summary>Longest blob that counts as one vehicle (a heavy truck with its shadow), metres.</summary>
    public const double MaxVehicleLengthMetres = 10.0;

    /// <summary>Widest blob that counts as one vehicle, metres (its equivalent rectangle's short side).</summary>
    public const double MaxVehicleWidthMetres = 5.0;

    /// <summary>Longest group of touching vehicles counted (a park's row), metres; longer dark features are not objects.</summary>
    public const double MaxGroupLengthMetres = 60.0;

    /// <summary>Widest group of touching vehicles counted (two rows nose to nose), metres.</summary>
    public const double MaxGroupWidthMetres = 20.0;

    /// <summary>Coarsest GSD (metres per pixel) at which objects are counted: a car of 8 m² then covers about 4 pixels.</summary>
    public const double MaxGroundSampleDistance = 1.5;

    /// <summary>Side of the square, metres, wider than any vehicle with its shadow: features narrower than it are objects.</summary>
    public const double StructuringMetres = 7.0;

    /// <summary>
    /// Least small-feature contrast of an object pixel: √3 × its brightness below the background (the length of a grey
    /// colour difference), in units where the tile's mean brightness is 120.
    /// </summary>
    public const float MinContrast = 75f;

    /// <summary>An object pixel's contrast is at least this many times the local median small-feature contrast (see <see cref="ClutterWindowMetres"/>).</summary>
    public const float ClutterFactor = 3f;

    /// <summary>Width of the window, metres, over which the clutter level (a median, robust to the objects themselves) is taken.</summary>
    public const double ClutterWindowMetres = 40.0;

    /// <summary>Least mean thickness (area over the equivalent rectangle's long side), metres (at least 1.8 px): crop-row and edge slivers are thinner.</summary>
    public const double MinThicknessMetres = 1.2;

    /// <summary>Fewest pixels a blob needs whatever the GSD (single noisy pixels are never objects).</summary>
    public const int MinPixels = 4;

    /// <summary>
    /// Excess green G − (R + B) / 2, in units where the tile's mean brightness is 120, at or above which an RGB pixel reads
    /// as vegetation (trees about 30, grey or olive vehicles at most 15); a blob with a third of its pixels so reads as
    /// vegetation.
    /// </summary>
    public const double VegetationExcessGreen = 24;

    /// <summary>Least excess green over brightness of a dark vegetation pixel (RGB only; trees about 0.55, grass 0.42, olive vehicles 0.25).</summary>
    public const double VegetationGreenness = 0.5;

    /// <summary>Share of a blob's pixels reading as vegetation (<see cref="IsGreen"/>) at or above which the blob is vegetation, not an object.</summary>
    internal const double VegetationShare = 0.35;

    /// <summary>NDVI at or above which a pixel reads as vegetation (NIR band present); a blob with a third of its pixels so reads as vegetation.</summary>
    public const double VegetationNdvi = 0.38;

    /// <summary>
    /// Counts objects in the core of a tile pair: the core starts <paramref name="coreMargin"/> pixels in from each edge
    /// (half the grid overlap). Before: the before image's count, at least the vehicles seen leaving; after: before −
    /// left + arrived, from the change between the dates (<see cref="ChangeObjectCounter"/>). Returns null when the GSD is
    /// unknown or coarser than <see cref="MaxGroundSampleDistance"/>, or the core is empty.
    /// </summary>
    /// <param name="before">Baseline tile (R, G, B first; band 4, when present, is NIR; NaN = no data).</param>
    /// <param name="after">New tile, same size and bands.</param>
    /// <param name="groundSampleDistance">Metres per pixel, or null when unknown.</param>
    /// <param name="coreMargin">Pixels of context on each side of the core, ≥ 0.</param>
    public static ObjectCounts? Count(TileRaster before, TileRaster after, double? groundSampleDistance, int coreMargin) =>
        Count(before, after, groundSampleDistance, coreMargin, VehicleCountModel.Shipped);

    /// <summary>
    /// As <see cref="Count(TileRaster, TileRaster, double?, int)"/> with the before image's vehicles and the arrivals
    /// counted by <paramref name="model"/>, or with <paramref name="model"/> null by the rules (the one-image count of
    /// <see cref="Count(TileRaster, double, PixelWindow)"/> and <see cref="ChangeObjectCounter"/>'s).
    /// </summary>
    internal static ObjectCounts? Count(TileRaster before, TileRaster after, double? groundSampleDistance, int coreMargin, VehicleCountModel? model)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentOutOfRangeException.ThrowIfNegative(coreMargin);
        if (!Countable(before, groundSampleDistance, coreMargin, out var gsd, out var core))
        {
            return null;
        }

        if (model is { CountsAfterByDensity: true })
        {
            // Each date counted on its own by the density network: static vehicles are seen alike on both.
            return new ObjectCounts((int)Math.Round(model.Density!.Count(before, gsd, core)), (int)Math.Round(model.Density.Count(after, gsd, core)));
        }

        // The before image on its own (static vehicles); what arrived and left from the change between the dates, so
        // static clutter counted in the before image is counted alike after and the change is exactly arrived − left.
        var n = before.Width * before.Height;
        var beforeContrast = ArrayPool<float>.Shared.Rent(n);
        var candidateLabels = ArrayPool<int>.Shared.Rent(n);
        try
        {
            int counted;
            var beforeCandidates = default(ChangeObjectCounter.BeforeCandidates);
            if (model is null)
            {
                var blobsBefore = Examine(before, gsd, core, beforeContrast.AsSpan(0, n));
                counted = Sum(blobsBefore, TypicalPixels(blobsBefore, [], gsd), gsd, null);
            }
            else
            {
                counted = LearnedCount(before, gsd, core, model, beforeContrast.AsSpan(0, n), candidateLabels.AsSpan(0, n), out var candidateCounts);
                beforeCandidates = model.GatesDepartures ? new ChangeObjectCounter.BeforeCandidates(candidateLabels.AsSpan(0, n), candidateCounts) : default;
            }

            var change = ChangeObjectCounter.Count(before, after, gsd, core, beforeContrast.AsSpan(0, n), null, default, model, default, beforeCandidates);
            var beforeCount = Math.Max(counted, change.Departed);
            var afterCount = beforeCount - change.Departed + change.Arrived;
            if (model is { CountsAfterByDensityWhereArrivals: true } && change.Arrived > 0)
            {
                // Where vehicles arrive the change blobs undercount parks on changed ground; the network reads the after image itself.
                afterCount = Math.Max(afterCount, (int)Math.Round(model.Density!.Count(after, gsd, core)));
            }

            return new ObjectCounts(beforeCount, afterCount);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(candidateLabels);
            ArrayPool<float>.Shared.Return(beforeContrast);
        }
    }

    /// <summary>
    /// Vehicles that arrived between the dates in the core of a (prepared) tile pair, counted from the change alone
    /// (<see cref="ChangeObjectCounter"/>, as in <see cref="Count(TileRaster, TileRaster, double?, int)"/>, without the
    /// before image's own count), with their pixels set to 1 in <paramref name="arrivals"/> (one byte per tile pixel;
    /// other pixels are left as they are). 0 when the GSD is unknown or coarser than <see cref="MaxGroundSampleDistance"/>,
    /// or the core is empty. About a third of the pair count's cost.
    /// </summary>
    /// <param name="before">Baseline tile (R, G, B first; NaN = no data).</param>
    /// <param name="after">New tile, same size and bands.</param>
    /// <param name="groundSampleDistance">Metres per pixel, or null when unknown.</param>
    /// <param name="coreMargin">Pixels of context on each side of the core, ≥ 0.</param>
    /// <param name="arrivals">The tile's size in pixels, or empty when the pixels are not wanted.</param>
    public static int CountArrivals(TileRaster before, TileRaster after, double? groundSampleDistance, int coreMargin, Span<byte> arrivals)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentOutOfRangeException.ThrowIfNegative(coreMargin);
        if (!arrivals.IsEmpty && arrivals.Length != before.Width * before.Height)
        {
            throw new ArgumentException("The arrival mask needs one byte per tile pixel.", nameof(arrivals));
        }

        return Countable(before, groundSampleDistance, coreMargin, out var gsd, out var core)
            ? ChangeObjectCounter.Count(before, after, gsd, core, [], null, arrivals).Arrived
            : 0;
    }

    /// <summary>
    /// The learned count of one image in <paramref name="core"/>: the sum of its keypoints' probabilities when the model
    /// counts by keypoints, else each candidate's vehicles (<paramref name="model"/>) times the share of it the core holds;
    /// rounded. Each pixel's candidate (index + 1, 0 for none) is written to <paramref name="labels"/> and each candidate's
    /// vehicles by the candidate ensembles given back in <paramref name="candidateCounts"/>.
    /// </summary>
    private static int LearnedCount(TileRaster image, double gsd, PixelWindow core, VehicleCountModel model, Span<float> smallFeatureContrast, Span<int> labels, out float[] candidateCounts)
    {
        double sum = 0;
        if (model.CountsKeypoints)
        {
            // Each keypoint in the core counts by its probability of being a vehicle.
            foreach (var k in VehicleKeypoints.Find(image, gsd, f => model.Objects(f), labels, smallFeatureContrast, out candidateCounts))
            {
                if (k.X >= core.X && k.Y >= core.Y && k.X < core.X + core.Width && k.Y < core.Y + core.Height)
                {
                    sum += model.KeypointProbability(k.Features);
                }
            }

            return (int)Math.Round(sum);
        }

        var candidates = Candidates(image, gsd, core, labels, smallFeatureContrast);
        candidateCounts = new float[candidates.Count];

        // With a density network the candidates serve only the departure gate and the change counter's contrast.
        var byCandidates = model.Density is null;
        for (var i = 0; i < candidates.Count; i++)
        {
            // Candidates outside the core matter only to the departure gate (a departure blob may reach into the margin).
            candidateCounts[i] = (byCandidates && candidates[i].CoreShare > 0) || model.GatesDepartures ? model.Objects(candidates[i].Features) : 0;
            sum += candidates[i].CoreShare > 0 ? candidateCounts[i] * candidates[i].CoreShare : 0;
        }

        return (int)Math.Round(model.Density?.Count(image, gsd, core) ?? sum);
    }

    /// <summary>Whether a tile pair can be counted: its GSD known and at most <see cref="MaxGroundSampleDistance"/>, and its core (<paramref name="coreMargin"/> in from each edge) not empty.</summary>
    private static bool Countable(TileRaster tile, double? groundSampleDistance, int coreMargin, out double gsd, out PixelWindow core)
    {
        gsd = groundSampleDistance ?? double.NaN;
        core = new PixelWindow(coreMargin, coreMargin, tile.Width - 2 * coreMargin, tile.Height - 2 * coreMargin);
        return double.IsFinite(gsd) && gsd > 0 && gsd <= MaxGroundSampleDistance && core.Width > 0 && core.Height > 0;
    }

    /// <summary>Counts objects of one image whose centroid lies in <paramref name="core"/> (tile pixels). Needs 3 or more bands.</summary>
    public static int Count(TileRaster image, double groundSampleDistance, PixelWindow core) => Count(image, groundSampleDistance, core, null);

    /// <summary>As <see cref="Count(TileRaster, double, PixelWindow)"/>, and adds each blob examined (with the objects it counts for) to <paramref name="examined"/>.</summary>
    internal static int Count(TileRaster image, double groundSampleDistance, PixelWindow core, List<ExaminedBlob>? examined)
    {
        var blobs = Examine(image, groundSampleDistance, core, []);
        return Sum(blobs, TypicalPixels(blobs, [], groundSampleDistance), groundSampleDistance, examined);
    }

    /// <summary>Each pixel's larger of the dark and bright small-feature contrast (units where the tile's mean brightness is 120), as the counter reads it.</summary>
    internal static float[] SmallFeatureContrast(TileRaster image, double groundSampleDistance)
    {
        var contrast = new float[image.Width * image.Height];
        Examine(image, groundSampleDistance, new PixelWindow(0, 0, image.Width, image.Height), contrast);
        return contrast;
    }

    /// <summary>One blob looked at: centroid (tile pixels), area (pixels), equivalent rectangle (pixels), green fraction, verdict, and the objects it counts for.</summary>
    internal readonly record struct ExaminedBlob(double X, double Y, int Area, double Length, double Width, double Green, string Verdict, int Objects = 0)
    {
        public bool Accepted => Verdict == "object";

        /// <summary>How much of the blob this tile counts (<see cref="BlobShape.CoreShare"/>).</summary>
        public double CoreShare { get; init; }
    }

    /// <summary>
    /// The typical single vehicle's blob area, pixels: the median area of accepted blobs shaped like one vehicle (at most
    /// <see cref="MaxVehicleLengthMetres"/> long and <see cref="MaxVehicleWidthMetres"/> wide, at least 1.6 times as long
    /// as wide, so side-by-side pairs are left out) when there are three or more, else <see cref="TypicalAreaSquareMetres"/>.
    /// </summary>
    private static double TypicalPixels(List<ExaminedBlob> a, List<ExaminedBlob> b, double gsd)
    {
        var areas = new List<int>();
        foreach (var blob in a.Concat(b))
        {
            if (blob.Accepted && IsVehicleShaped(blob, gsd) && blob.Length >= 1.6 * blob.Width)
            {
                areas.Add(blob.Area);
            }
        }

        if (areas.Count < 3)
        {
            return TypicalAreaSquareMetres / (gsd * gsd);
        }

        areas.Sort();
        return areas.Count % 2 == 1 ? areas[areas.Count / 2] : 0.5 * (areas[areas.Count / 2 - 1] + areas[areas.Count / 2]);
    }

    private static bool IsVehicleShaped(ExaminedBlob blob, double gsd) =>
        blob.Length * gsd <= MaxVehicleLengthMetres && blob.Width * gsd <= MaxVehicleWidthMetres;

    private static int Sum(List<ExaminedBlob> blobs, double typicalPixels, double gsd, List<ExaminedBlob>? examined)
    {
        double count = 0;
        foreach (var blob in blobs)
        {
            if (blob.CoreShare <= 0)
            {
                continue;
            }

            // One vehicle: up to 1.5 typical areas, or an elongated blob of one vehicle's size (a truck); touching
            // vehicles: the blob's area over the typical vehicle's (two cars side by side are as wide as long).
            var single = blob.Area <= 1.5 * typicalPixels || (IsVehicleShaped(blob, gsd) && blob.Length >= 1.6 * blob.Width);
            var objects = !blob.Accepted ? 0 : single ? 1 : Math.Max(2, (int)Math.Round(blob.Area / typicalPixels));
            count += objects * blob.CoreShare;
            examined?.Add(blob with { Objects = objects });
        }

        return (int)Math.Round(count);
    }

    /// <summary>
    /// Every blob of small-feature contrast in the image, with its verdict; when <paramref name="smallFeatureContrast"/>
    /// holds a value per pixel, each pixel's larger of the dark and bright small-feature contrast (units where the
    /// tile's mean brightness is 120) is written to it.
    /// </summary>
    private static List<ExaminedBlob> Examine(TileRaster image, double groundSampleDistance, PixelWindow core, Span<float> smallFeatureContrast)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.BandCount < 3)
        {
            throw new ArgumentException("Object counting needs R, G and B bands.", nameof(image));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groundSampleDistance);
        var (w, h) = (image.Width, image.Height);
        var n = w * h;
        var floats = ArrayPool<float>.Shared.Rent(6 * n);
        var ints = ArrayPool<int>.Shared.Rent(2 * n);
        var mask = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            var contrast = floats.AsSpan(0, n);
            var band = floats.AsSpan(n, n);
            var work = floats.AsSpan(2 * n, n);
            var scratch = floats.AsSpan(3 * n, n);
            var closed = floats.AsSpan(4 * n, n);
            var bright = floats.AsSpan(5 * n, n);

            var scale = SmallFeaturePlanes(image, groundSampleDistance, contrast, bright, work, band, scratch, closed, ints.AsSpan(0, n), mask.AsSpan(0, n), smallFeatureContrast);
            var m = mask.AsSpan(0, n);
            for (var i = 0; i < n; i++)
            {
                var threshold = Math.Max(MinContrast, ClutterFactor * work[i]);
                m[i] = contrast[i] >= threshold ? (byte)1 : (byte)0;
            }

            return ExamineBlobs(image, m, contrast, bright, scale, groundSampleDistance, core, ints.AsSpan(0, n), ints.AsSpan(n, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(mask);
            ArrayPool<int>.Shared.Return(ints);
            ArrayPool<float>.Shared.Return(floats);
        }
    }

    /// <summary>
    /// The planes both counts read: each pixel's dark small-feature <paramref name="contrast"/> and
    /// <paramref name="bright"/> small-feature contrast (units where the tile's mean brightness is 120) and the local
    /// <paramref name="clutter"/> level; returns the brightness scale (120 over the tile's mean brightness).
    /// <paramref name="band"/>, <paramref name="scratch"/>, <paramref name="closed"/>,
    /// <paramref name="ints"/> and <paramref name="mask"/> are scratch of the tile's size; <paramref name="band"/> is left
    /// holding the brightness (no-data as <see cref="NoDataFill"/>). When <paramref name="smallFeatureContrast"/> holds a
    /// value per pixel, each pixel's larger of the dark and bright contrast is written to it.
    /// </summary>
    private static float SmallFeaturePlanes(TileRaster image, double groundSampleDistance, Span<float> contrast, Span<float> bright, Span<float> clutter, Span<float> band, Span<float> scratch, Span<float> closed, Span<int> ints, Span<byte> mask, Span<float> smallFeatureContrast)
    {
        var (w, h) = (image.Width, image.Height);
        var n = w * h;
        var work = clutter;
        // Dark small-feature contrast of the brightness (mean of R, G, B): the background (the lower of the closing
        // with a square wider than a vehicle and the hole filling) minus the image. It is zero on flat ground and on
        // step edges (field and road borders), equals the contrast of anything darker than the ground around it and
        // narrower than the square (a vehicle's body or, for a bright vehicle, its shadow), and is zero on the ground
        // between the vehicles of a park: that ground is connected to the open ground around the park, so hole
        // filling leaves it alone even where bright vehicles stand closer together than the square (the closing
        // alone would read it as dark). Bright small features (the white top-hat: the image minus its opening) only
        // keep neighbouring bright bodies out of the ring test. Both are scaled by √3, so a grey difference reads as
        // the length of the colour difference it stands for.
        var radius = Math.Max(1, (int)Math.Round(StructuringMetres / 2 / groundSampleDistance));
        var red = image.Band(0);
        var green = image.Band(1);
        var blue = image.Band(2);
        for (var i = 0; i < n; i++)
        {
            var y = (red[i] + green[i] + blue[i]) / 3f;

            // No-data reads as very bright: the closing then neither spreads it into valid pixels nor sees objects in it.
            band[i] = float.IsFinite(y) ? y : NoDataFill;
        }

        GreyMorphology.Filter(band, w, h, radius, max: true, work, scratch);
        GreyMorphology.Filter(work, w, h, radius, max: false, closed, scratch);

        // For the hole filling no-data reads as very dark instead: it lies outside the image (beyond a scene's edge),
        // so ground that reaches it is open ground, as ground reaching the tile's border is, not a hole walled in by it.
        for (var i = 0; i < n; i++)
        {
            scratch[i] = band[i] >= NoDataFill ? float.MinValue : band[i];
        }

        GreyMorphology.FillHoles(scratch, w, h, work, ints, mask);
        for (var i = 0; i < n; i++)
        {
            var background = Math.Min(closed[i], work[i]);
            contrast[i] = band[i] >= NoDataFill || background >= NoDataFill ? 0f : Sqrt3 * (background - band[i]);
        }

        // The opening (min then max) of the brightness with no-data as very dark, so it never spreads bright.
        for (var i = 0; i < n; i++)
        {
            closed[i] = band[i] >= NoDataFill ? float.MinValue : band[i];
        }

        GreyMorphology.Filter(closed, w, h, radius, max: false, work, scratch);
        GreyMorphology.Filter(work, w, h, radius, max: true, scratch, bright);
        for (var i = 0; i < n; i++)
        {
            bright[i] = band[i] >= NoDataFill || scratch[i] <= float.MinValue ? 0f : Sqrt3 * (band[i] - scratch[i]);
        }

        // Contrast in units where the tile's mean brightness is 120 (so 0-255 and 0-10000 imagery read alike).
        var scale = BrightnessScale(image);
        for (var i = 0; i < n; i++)
        {
            contrast[i] *= scale;
            bright[i] *= scale;
        }

        // Clutter level: the local median small-feature contrast (crop rows, grass texture, noise); object pixels stand
        // well above it. A median, not a mean: vehicles covering up to half a window (a dense park) do not raise it.
        ClutterMedian(image, contrast, groundSampleDistance, clutter);
        if (smallFeatureContrast.Length == n)
        {
            for (var i = 0; i < n; i++)
            {
                smallFeatureContrast[i] = Math.Max(contrast[i], bright[i]);
            }
        }

        return scale;
    }

    private const float NoDataFill = float.MaxValue;

    private static readonly float Sqrt3 = MathF.Sqrt(3f);

    /// <summary>Largest fraction of a blob's surrounding ring that may differ from the ground it stands on (more: beside or part of a larger structure).</summary>
    private const double MaxForeignRing = 0.3;

    /// <summary>Colour distance from the blob's background beyond which a ring pixel is foreign, in units where the tile's mean brightness is 120.</summary>
    private const float ForeignTolerance = 25f;

    private const double ReferenceBrightness = 120.0;

    /// <summary>Spacing, metres, of the pixels the clutter median is read from (every pixel of the window would cost four times as much and move the median little).</summary>
    private const double ClutterSampleMetres = 2.0;

    /// <summary>Contrast histogram bins (one unit each; higher contrast falls in the last bin).</summary>
    private const int HistogramBins = 256;

    /// <summary>
    /// Writes to <paramref name="clutter"/> the median of <paramref name="contrast"/> over a <see cref="ClutterWindowMetres"/>
    /// window (no-data pixels left out), read from pixels about <see cref="ClutterSampleMetres"/> apart, taken at block
    /// centres about 8 m apart and interpolated bilinearly between them.
    /// </summary>
    private static void ClutterMedian(TileRaster image, ReadOnlySpan<float> contrast, double gsd, Span<float> clutter)
    {
        var (w, h) = (image.Width, image.Height);
        var half = Math.Max(4, (int)Math.Round(ClutterWindowMetres / 2 / gsd));
        var step = Math.Max(2, (int)Math.Round(ClutterWindowMetres / 5 / gsd));
        var sample = Math.Max(1, (int)Math.Round(ClutterSampleMetres / gsd));
        var (gx, gy) = ((w + step - 1) / step, (h + step - 1) / step);
        var medians = ArrayPool<float>.Shared.Rent(gx * gy);
        Span<int> histogram = stackalloc int[HistogramBins];
        var red = image.Band(0);
        try
        {
            for (var j = 0; j < gy; j++)
            {
                var cy = Math.Min(h - 1, j * step + step / 2);
                for (var i = 0; i < gx; i++)
                {
                    var cx = Math.Min(w - 1, i * step + step / 2);
                    histogram.Clear();
                    var total = 0;
                    for (var y = Math.Max(0, cy - half); y <= Math.Min(h - 1, cy + half); y += sample)
                    {
                        var row = contrast.Slice(y * w, w);
                        var valid = red.Slice(y * w, w);
                        for (var x = Math.Max(0, cx - half); x <= Math.Min(w - 1, cx + half); x += sample)
                        {
                            if (float.IsFinite(valid[x]))
                            {
                                histogram[Math.Min(HistogramBins - 1, (int)row[x])]++;
                                total++;
                            }
                        }
                    }

                    medians[j * gx + i] = total == 0 ? 0 : BlockLattice.MedianBin(histogram, total) + 0.5f;
                }
            }

            BlockLattice.Interpolate(medians.AsSpan(0, gx * gy), gx, gy, step, w, h, clutter);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(medians);
        }
    }

    private static List<ExaminedBlob> ExamineBlobs(TileRaster image, Span<byte> mask, ReadOnlySpan<float> contrast, ReadOnlySpan<float> bright, float scale, double gsd, PixelWindow core, Span<int> stack, Span<int> members)
    {
        var (w, h) = (image.Width, image.Height);
        var n = w * h;
        var hasNir = image.BandCount > 3;
        var minPixels = Math.Max(MinPixels, (int)Math.Ceiling(MinAreaSquareMetres / (gsd * gsd)));
        var minThickness = Math.Max(1.8, MinThicknessMetres / gsd);
        var blobs = new List<ExaminedBlob>();
        for (var start = 0; start < n; start++)
        {
            if (mask[start] != 1)
            {
                continue;
            }

            // Visited pixels are marked 2; the component's members are collected for its shape and colour.
            var area = BlobCounter.Collect(mask, w, h, start, 1, 2, stack, members);
            if (area < 3)
            {
                continue;
            }

            var shape = BlobShape.Of(members[..area], w);
            var (x0, y0, x1, y1) = (shape.X0, shape.Y0, shape.X1, shape.Y1);
            var (cx, cy) = (shape.MeanX + 0.5, shape.MeanY + 0.5);
            var share = shape.CoreShare(members[..area], w, h, core);

            // The equivalent rectangle: sides √12 × the standard deviations along the principal axes (exact for a
            // solid rectangle; a pixel has variance 1/12 along each axis).
            var length = Math.Sqrt(12 * shape.MajorVariance);
            var width = Math.Sqrt(12 * shape.MinorVariance);
            var thin = area < minThickness * length || area < 0.5 * length * width;
            var tooLarge = length * gsd > MaxGroupLengthMetres || width * gsd > MaxGroupWidthMetres;
            if (area < minPixels || thin || tooLarge)
            {
                blobs.Add(new ExaminedBlob(cx, cy, area, length, width, double.NaN, "shape") { CoreShare = share });
                continue;
            }

            // A vehicle is surrounded by the ground it stands on (and, in a park, by other vehicles: pixels of small-feature
            // contrast are left out of the ring). A blob beside or part of a larger structure (the shadow of a building
            // beside its roof, the rim of a tree clump, the corner of a dark field) has a ring partly of another colour.
            if (ForeignRingFraction(image, mask, contrast, bright, members[..area], x0, y0, x1, y1, ForeignTolerance / scale) > MaxForeignRing)
            {
                blobs.Add(new ExaminedBlob(cx, cy, area, length, width, double.NaN, "region") { CoreShare = share });
                continue;
            }

            // Vegetation (trees, hedges and their shadows) reads by its canopy pixels: a third of the blob, or one within
            // 2 px of the blob's box (the shadow a tree clump casts lies beside its crowns).
            var green = 0;
            foreach (var p in members[..area])
            {
                green += IsGreen(image, p, hasNir, scale) ? 1 : 0;
            }

            var greenFraction = green / (double)area;
            var vegetation = greenFraction >= VegetationShare;
            for (var y = Math.Max(0, y0 - 2); y <= Math.Min(h - 1, y1 + 2) && !vegetation; y++)
            {
                for (var x = Math.Max(0, x0 - 2); x <= Math.Min(w - 1, x1 + 2) && !vegetation; x++)
                {
                    var p = y * w + x;
                    vegetation = contrast[p] >= MinContrast && IsGreen(image, p, hasNir, scale);
                }
            }

            blobs.Add(new ExaminedBlob(cx, cy, area, length, width, greenFraction, vegetation ? "vegetation" : "object") { CoreShare = share });
        }

        return blobs;
    }

    /// <summary>
    /// The fraction of pixels in a 2-px ring around the blob's box whose colour differs by more than
    /// <paramref name="tolerance"/> (image units) from the ring's mean colour: near 0 for a blob on uniform ground, high
    /// for one beside or part of a larger structure. Blob pixels and pixels of dark or bright small-feature contrast over
    /// half <see cref="MinContrast"/> (neighbouring vehicles, the anti-aliased rim) are left out of the ring.
    /// </summary>
    private static double ForeignRingFraction(TileRaster image, Span<byte> mask, ReadOnlySpan<float> contrast, ReadOnlySpan<float> bright, ReadOnlySpan<int> members, int x0, int y0, int x1, int y1, float tolerance)
    {
        var (w, h) = (image.Width, image.Height);
        var plane = w * h;
        var data = image.Data;
        foreach (var p in members)
        {
            mask[p] = 3;
        }

        double mr = 0, mg = 0, mb = 0;
        var ring = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            var foreign = 0;
            for (var y = Math.Max(0, y0 - 2); y <= Math.Min(h - 1, y1 + 2); y++)
            {
                for (var x = Math.Max(0, x0 - 2); x <= Math.Min(w - 1, x1 + 2); x++)
                {
                    var p = y * w + x;
                    if (mask[p] == 3 || (x >= x0 && x <= x1 && y >= y0 && y <= y1) || !float.IsFinite(data[p])
                        || contrast[p] >= MinContrast / 2 || bright[p] >= MinContrast / 2)
                    {
                        continue;
                    }

                    if (pass == 0)
                    {
                        (mr, mg, mb) = (mr + data[p], mg + data[plane + p], mb + data[2 * plane + p]);
                        ring++;
                    }
                    else
                    {
                        var (dr, dg, db) = (data[p] - mr, data[plane + p] - mg, data[2 * plane + p] - mb);
                        foreign += dr * dr + dg * dg + db * db > tolerance * tolerance ? 1 : 0;
                    }
                }
            }

            if (ring == 0)
            {
                break;
            }

            if (pass == 0)
            {
                (mr, mg, mb) = (mr / ring, mg / ring, mb / ring);
            }
            else
            {
                foreach (var p in members)
                {
                    mask[p] = 2;
                }

                return foreign / (double)ring;
            }
        }

        foreach (var p in members)
        {
            mask[p] = 2;
        }

        return 0;
    }

    internal static float BrightnessScale(TileRaster image)
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

    /// <summary>
    /// Whether a pixel reads as vegetation: NDVI at least <see cref="VegetationNdvi"/> with NIR; else excess green
    /// G − (R + B) / 2 at least <see cref="VegetationExcessGreen"/> (where the tile's mean brightness is 120), or at least
    /// half as much and <see cref="VegetationGreenness"/> of the pixel's brightness (dark tree crowns in a bright tile).
    /// </summary>
    internal static bool IsGreen(TileRaster image, int p, bool hasNir, float scale)
    {
        var plane = image.Width * image.Height;
        var data = image.Data;
        var (r, g, b) = (Finite(data[p]), Finite(data[plane + p]), Finite(data[2 * plane + p]));
        if (hasNir)
        {
            var nir = Finite(data[3 * plane + p]);
            return (nir - r) / Math.Max(1e-6, nir + r) >= VegetationNdvi;
        }

        var excess = (g - (r + b) / 2) * scale;
        return excess >= VegetationExcessGreen || (excess >= VegetationExcessGreen / 2 && excess >= VegetationGreenness * scale * (r + g + b) / 3);
    }

    private static double Finite(float v) => float.IsFinite(v) ? v : 0;
}
