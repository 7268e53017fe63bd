namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>
/// Fills <paramref name="values"/> (length = image width) with the samples of row <paramref name="row"/> of band
/// <paramref name="band"/>. Called once per row and band, rows in increasing order.
/// </summary>
public delegate void TiffRowSource(int row, int band, Span<float> values);
