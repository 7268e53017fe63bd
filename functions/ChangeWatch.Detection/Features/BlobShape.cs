using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection;

/// <summary>
/// Bounding box and second moments of a blob's pixels (indices into a row-major plane of a given width): the mean
/// position and the covariance of pixel centres, each variance plus 1/12 (a pixel's own spread along an axis, so a
/// solid rectangle's equivalent sides come out exact). Sums of integer coordinates are exact in doubles, so the figures
/// do not depend on the order of the members.
/// </summary>
internal readonly record struct BlobShape(int X0, int Y0, int X1, int Y1, double MeanX, double MeanY, double VarianceX, double VarianceY, double Covariance)
{
    /// <summary>Half the distance between the two principal variances.</summary>
    public double Spread => Math.Sqrt((VarianceX - VarianceY) * (VarianceX - VarianceY) / 4 + Covariance * Covariance);

    /// <summary>Variance along the principal (longest) axis.</summary>
    public double MajorVariance => (VarianceX + VarianceY) / 2 + Spread;

    /// <summary>Variance across the principal axis, at least a pixel's own 1/12.</summary>
    public double MinorVariance => Math.Max(1 / 12.0, (VarianceX + VarianceY) / 2 - Spread);

    /// <summary>The shape of the pixels at <paramref name="members"/> (at least one) of a plane <paramref name="width"/> pixels wide.</summary>
    public static BlobShape Of(ReadOnlySpan<int> members, int width)
    {
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        foreach (var p in members)
        {
            var py = p / width;
            var px = p - py * width;
            (x0, x1, y0, y1) = (Math.Min(x0, px), Math.Max(x1, px), Math.Min(y0, py), Math.Max(y1, py));
            sx += px;
            sy += py;
            sxx += (double)px * px;
            syy += (double)py * py;
            sxy += (double)px * py;
        }

        var area = members.Length;
        var (mx, my) = (sx / area, sy / area);
        return new BlobShape(x0, y0, x1, y1, mx, my, sxx / area - mx * mx + 1 / 12.0, syy / area - my * my + 1 / 12.0, sxy / area - mx * my);
    }

    /// <summary>
    /// How much of the blob a tile whose core is <paramref name="core"/> counts, so that tiles whose cores tile the plane
    /// (each read with the same margin of context around its core) count each object once. A blob that covers none of
    /// the columns and rows where this tile's or a neighbour's window ends (this tile's first and last, and the
    /// neighbours' last and first, which lie inside this tile's window) is seen whole by every tile that sees it: it
    /// counts wholly where its centroid lies. Any other blob (a park straddling two tiles, cut by one tile's edge) counts
    /// by the share of its visible pixels in the core, in every tile alike — its centroid would be pulled towards the cut
    /// edge, so by centroid neither tile, or both, might count it; by share the tiles' parts add up to the whole when the
    /// count goes with the area.
    /// </summary>
    public double CoreShare(ReadOnlySpan<int> members, int width, int height, PixelWindow core)
    {
        var (right, bottom) = (width - core.X - core.Width, height - core.Y - core.Height);
        bool Covers(int lo, int hi, int line) => line >= 0 && lo <= line && line <= hi;
        var shared = Covers(X0, X1, 0) || Covers(X0, X1, width - 1) || Covers(Y0, Y1, 0) || Covers(Y0, Y1, height - 1)
            || Covers(X0, X1, 2 * core.X - 1) || Covers(X0, X1, core.X + core.Width - right)
            || Covers(Y0, Y1, 2 * core.Y - 1) || Covers(Y0, Y1, core.Y + core.Height - bottom);
        if (!shared)
        {
            var (cx, cy) = (MeanX + 0.5, MeanY + 0.5);
            return cx >= core.X && cy >= core.Y && cx < core.X + core.Width && cy < core.Y + core.Height ? 1 : 0;
        }

        var inside = 0;
        foreach (var p in members)
        {
            var py = p / width;
            var px = p - py * width;
            inside += px >= core.X && py >= core.Y && px < core.X + core.Width && py < core.Y + core.Height ? 1 : 0;
        }

        return inside / (double)members.Length;
    }
}
