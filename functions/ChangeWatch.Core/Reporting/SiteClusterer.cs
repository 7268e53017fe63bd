using System.Globalization;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Reporting;

/// <summary>
/// Groups a scene's flagged tiles into sites: tiles whose cores touch, edge or corner (8-neighbourhood on the grid's
/// rows and columns), and whose changed pixels come within <see cref="JoinDistance"/> pixels of each other, form one site.
/// A flagged tile whose own core holds no changed pixel (the change it saw lies in its context margin, owned by a
/// neighbour) joins a neighbouring site without widening its bounds. Because a tile's changed pixels are counted in its core only, a site's pixel
/// count and bounds never count a pixel twice.
/// <para>
/// Sites come out highest probability first, ties broken by position (top, then left, of the grid bounds), and are
/// numbered "S1", "S2", ... in that order, so the same tile results always give the same ids.
/// </para>
/// </summary>
/// <param name="geoLocator">Converts the centroid's map coordinates to WGS84.</param>
public sealed class SiteClusterer(IGeoLocator geoLocator)
{
    // EPSG codes of geographic (degree-based) systems, whose pixel size is not a length: area then needs the GSD.
    private static readonly HashSet<int> GeographicEpsg = [4326, 4258, 4269, 4283, 4617, 4674, 4612, 6318];

    /// <summary>Largest gap, in pixels, between the changed pixels of two neighbouring tiles that still makes them one site.</summary>
    public const int JoinDistance = 8;

    private readonly IGeoLocator _geoLocator = geoLocator ?? throw new ArgumentNullException(nameof(geoLocator));

    /// <summary>
    /// Clusters <paramref name="tiles"/> into sites.
    /// </summary>
    /// <param name="grid">The AOI grid the tiles are on.</param>
    /// <param name="placement">Where the scene lies on the grid.</param>
    /// <param name="sceneGeoReference">The scene's georeferencing (scene pixels to map), or null: then sites have no
    /// latitude/longitude.</param>
    /// <param name="groundSampleDistance">Metres per pixel, or null: then the area comes from the geotransform's pixel
    /// size when the system is projected, else it is null.</param>
    /// <param name="tiles">Tile results of the scene; those not both flagged and assessable are ignored.</param>
    /// <returns>
    /// Sites with <see cref="SiteModel.GridBounds"/> the union of the tiles' change bounds (a tile's core, clipped to
    /// the scene, where it has none), <see cref="SiteModel.SceneBounds"/> the same box in scene pixels, summed changed
    /// pixels, the highest probability, the most frequent change type (ties: the type of the most probable tile, then
    /// ordinal order), the largest shift length, the mean masked fraction, tile ids sorted by row then column, the
    /// centroid (changed-pixel-weighted mean of the tiles' box centres) in WGS84 with its MGRS reference, the scene
    /// bounds' corners in WGS84 as <see cref="SiteModel.Outline"/>, object counts summed over the tiles when every tile
    /// of the site has them (else null: not measured), and chip names from <see cref="ReportPaths"/>.
    /// </returns>
    /// <exception cref="ArgumentException">The same tile appears twice, or a tile's probability is not 0-1.</exception>
    public IReadOnlyList<SiteModel> Cluster(
        AoiGrid grid, ScenePlacement placement, GeoReference? sceneGeoReference, double? groundSampleDistance,
        IEnumerable<TileResult> tiles)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(placement);
        ArgumentNullException.ThrowIfNull(tiles);

        var byTile = new Dictionary<TileId, TileResult>();
        foreach (var tile in tiles)
        {
            if (tile is not { Flagged: true, Assessable: true })
            {
                continue;
            }

            if (double.IsNaN(tile.Probability) || tile.Probability is < 0 or > 1)
            {
                throw new ArgumentException($"Tile {tile.Tile} has probability {tile.Probability}; expected 0-1.", nameof(tiles));
            }

            if (!byTile.TryAdd(tile.Tile, tile))
            {
                throw new ArgumentException($"Tile {tile.Tile} appears twice.", nameof(tiles));
            }
        }

        var sceneOnGrid = new PixelWindow(placement.OffsetX, placement.OffsetY, placement.Width, placement.Height);
        var pixelArea = PixelArea(sceneGeoReference, groundSampleDistance);
        var sites = new List<SiteModel>();
        foreach (var group in ConnectedGroups(byTile))
        {
            sites.Add(Describe(grid, placement, sceneOnGrid, sceneGeoReference, pixelArea, group));
        }

        return sites
            .OrderByDescending(s => s.Probability)
            .ThenBy(s => s.GridBounds.Y)
            .ThenBy(s => s.GridBounds.X)
            .ThenBy(s => s.Tiles[0], StringComparer.Ordinal)
            .Select((s, i) =>
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"S{i + 1}");
                return s with { Id = id, BeforeChip = ReportPaths.BeforeChip(id), AfterChip = ReportPaths.AfterChip(id) };
            })
            .ToList();
    }

    private static IEnumerable<List<TileResult>> ConnectedGroups(Dictionary<TileId, TileResult> byTile)
    {
        var seen = new HashSet<TileId>();
        var stack = new Stack<TileId>();
        // Visit seeds in grid order so that grouping never depends on the input order.
        foreach (var seed in byTile.Keys.OrderBy(t => t.Row).ThenBy(t => t.Col))
        {
            if (!seen.Add(seed))
            {
                continue;
            }

            var group = new List<TileResult>();
            stack.Push(seed);
            while (stack.Count > 0)
            {
                var current = stack.Pop();
                group.Add(byTile[current]);
                for (var dr = -1; dr <= 1; dr++)
                {
                    for (var dc = -1; dc <= 1; dc++)
                    {
                        var next = new TileId(current.Row + dr, current.Col + dc);
                        if (byTile.TryGetValue(next, out var neighbour) && ChangesMeet(byTile[current], neighbour) && seen.Add(next))
                        {
                            stack.Push(next);
                        }
                    }
                }
            }

            group.Sort((a, b) => a.Tile.Row != b.Tile.Row ? a.Tile.Row.CompareTo(b.Tile.Row) : a.Tile.Col.CompareTo(b.Tile.Col));
            yield return group;
        }
    }

    /// <summary>
    /// Neighbouring flagged tiles belong to one site when their changed pixels come within <see cref="JoinDistance"/> of
    /// each other (a change that crosses the tile border); two separate changes in diagonal or adjacent tiles stay two
    /// sites. A tile without change bounds joins any neighbour.
    /// </summary>
    private static bool ChangesMeet(TileResult a, TileResult b)
    {
        if (a.ChangeBounds is not { IsEmpty: false } p || b.ChangeBounds is not { IsEmpty: false } q)
        {
            return true;
        }

        var gapX = Math.Max(p.X, q.X) - Math.Min(p.X + p.Width, q.X + q.Width);
        var gapY = Math.Max(p.Y, q.Y) - Math.Min(p.Y + p.Height, q.Y + q.Height);
        return gapX <= JoinDistance && gapY <= JoinDistance;
    }

    private SiteModel Describe(
        AoiGrid grid, ScenePlacement placement, PixelWindow sceneOnGrid, GeoReference? geo, double? pixelArea,
        List<TileResult> group)
    {
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = int.MinValue, y1 = int.MinValue;
        long changed = 0;
        double weightSum = 0, cx = 0, cy = 0, maxShift = 0, masked = 0;
        double? maxResidual = null;
        double cloudMasked = 0;
        var cloudMeasured = true;
        var top = group[0];
        // A tile flagged for change that lies in its context margin (its core holds no changed pixel) belongs to the
        // site but does not stretch its bounds, unless no tile of the site located its change.
        var located = group.Any(t => t.ChangeBounds is { IsEmpty: false });
        foreach (var tile in group)
        {
            if (tile.ChangeBounds is { IsEmpty: false } || !located)
            {
                var box = tile.ChangeBounds is { IsEmpty: false } bounds
                    ? bounds
                    : grid.CoreWindow(tile.Tile).Intersect(sceneOnGrid);
                if (box.IsEmpty)
                {
                    box = grid.CoreWindow(tile.Tile);
                }

                x0 = Math.Min(x0, box.X);
                y0 = Math.Min(y0, box.Y);
                x1 = Math.Max(x1, box.X + box.Width);
                y1 = Math.Max(y1, box.Y + box.Height);
                var weight = Math.Max(1, tile.ChangedPixels);
                cx += weight * (box.X + box.Width / 2.0);
                cy += weight * (box.Y + box.Height / 2.0);
                weightSum += weight;
            }

            changed += Math.Max(0, tile.ChangedPixels);

            maxShift = Math.Max(maxShift, Math.Sqrt(tile.ShiftX * tile.ShiftX + tile.ShiftY * tile.ShiftY));
            masked += tile.MaskedFraction;
            if (tile.CoRegistrationResidual is { } residual)
            {
                maxResidual = Math.Max(maxResidual ?? 0, residual);
            }

            if (tile.CloudFraction is { } cloud && tile.CloudShadowFraction is { } shadow)
            {
                cloudMasked += cloud + shadow;
            }
            else
            {
                cloudMeasured = false;
            }

            if (tile.Probability > top.Probability)
            {
                top = tile;
            }
        }

        var gridBounds = new PixelWindow(x0, y0, x1 - x0, y1 - y0);
        var sceneBounds = placement.ToScene(gridBounds);
        var changedPixels = (int)Math.Min(changed, int.MaxValue);
        double? latitude = null, longitude = null;
        string? mgrs = null;
        IReadOnlyList<GeoPoint>? outline = null;
        if (geo is not null)
        {
            // Grid pixel -> scene pixel (fractional: the centroid is a point, not a pixel index) -> map -> WGS84.
            if (TryLocate(geo, cx / weightSum - placement.OffsetX, cy / weightSum - placement.OffsetY, out var centre))
            {
                latitude = centre.Latitude;
                longitude = centre.Longitude;
                mgrs = Geography.Mgrs.FromLatLon(centre.Latitude, centre.Longitude);
            }

            outline = Outline(geo, sceneBounds);
        }

        var changeType = group
            .GroupBy(t => t.ChangeType, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenByDescending(g => g.Key == top.ChangeType)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .First().Key;

        return new SiteModel
        {
            Id = string.Empty,
            ChangeType = changeType,
            Probability = top.Probability,
            Assessment = ConfidenceWording.Assess(top.Probability, changeType),
            Tiles = group.Select(t => t.Tile.ToString()).ToList(),
            GridBounds = gridBounds,
            SceneBounds = sceneBounds,
            ChangedPixels = changedPixels,
            AreaSquareMetres = pixelArea * changedPixels,
            Latitude = latitude,
            Longitude = longitude,
            MaxShift = maxShift,
            MaskedFraction = masked / group.Count,
            MaxResidual = maxResidual,
            CloudMaskedFraction = cloudMeasured ? cloudMasked / group.Count : null,
            Mgrs = mgrs,
            Outline = outline,
            Objects = SumObjects(group),
        };
    }

    // Counts are summed only when every tile of the site measured them: a sum over some tiles would understate the site.
    private static ObjectCounts? SumObjects(List<TileResult> group)
    {
        long before = 0, after = 0;
        foreach (var tile in group)
        {
            if (tile.Objects is not { } counts)
            {
                return null;
            }

            before += counts.Before;
            after += counts.After;
        }

        return new ObjectCounts((int)Math.Min(before, int.MaxValue), (int)Math.Min(after, int.MaxValue));
    }

    // Corners of the box's outer pixel edges, anticlockwise on a north-up image, ring closed; null if any corner fails.
    private List<GeoPoint>? Outline(GeoReference geo, PixelWindow box)
    {
        (double X, double Y)[] corners =
        [
            (box.X, box.Y), (box.X, box.Y + box.Height), (box.X + box.Width, box.Y + box.Height), (box.X + box.Width, box.Y),
        ];
        var ring = new List<GeoPoint>(5);
        foreach (var (x, y) in corners)
        {
            if (!TryLocate(geo, x, y, out var point))
            {
                return null;
            }

            ring.Add(point);
        }

        ring.Add(ring[0]);
        return ring;
    }

    private bool TryLocate(GeoReference geo, double sceneX, double sceneY, out GeoPoint point)
    {
        var (mapX, mapY) = geo.Transform.PixelToMap(sceneX, sceneY);
        if (_geoLocator.TryToWgs84(geo.Epsg, mapX, mapY, out var lat, out var lon) && lat is >= -90 and <= 90 && double.IsFinite(lon))
        {
            point = new GeoPoint(lon, lat);
            return true;
        }

        point = new GeoPoint(0, 0);
        return false;
    }

    private static double? PixelArea(GeoReference? geo, double? groundSampleDistance)
    {
        if (groundSampleDistance is > 0 and var gsd && double.IsFinite(gsd))
        {
            return gsd * gsd;
        }

        if (geo is null || GeographicEpsg.Contains(geo.Epsg))
        {
            return null;
        }

        var t = geo.Transform;
        var area = Math.Abs(t.PixelWidth * t.PixelHeight - t.RotationX * t.RotationY);
        return area > 0 && double.IsFinite(area) ? area : null;
    }
}
