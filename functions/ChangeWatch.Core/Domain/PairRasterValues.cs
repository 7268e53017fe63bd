namespace ChangeWatch.Core.Domain;

/// <summary>
/// The pixel model's three raster-level values (one number each for a whole raster, every pixel alike) taken over a
/// whole scene pair instead of one tile: the median and 90th percentile of the change-vector magnitude and the median
/// of both dates' 5×5 luminance texture, each date normalised by its scene. Per tile they describe the tile (a tile of
/// sea against a tile of town), while the models were trained on whole images.
/// </summary>
/// <param name="MagnitudeMedian">Median of the change magnitude over the pair.</param>
/// <param name="MagnitudeP90">90th percentile of the change magnitude over the pair.</param>
/// <param name="TextureMedian">Median of the mean 5×5 luminance texture of both dates over the pair.</param>
public sealed record PairRasterValues(float MagnitudeMedian, float MagnitudeP90, float TextureMedian);
