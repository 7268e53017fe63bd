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
}
