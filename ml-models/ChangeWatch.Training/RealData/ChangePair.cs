namespace ChangeWatch.Training.RealData;

/// <summary>
/// One labelled image pair held in memory: both dates on the same grid (band-sequential floats, NaN = no data) and
/// the truth mask (1 = change). <see cref="Site"/> groups pairs that must never be split between training and test.
/// <see cref="GroundSampleDistance"/> is the pixel size in metres (the layout's nominal one unless told otherwise).
/// </summary>
internal sealed record ChangePair(
    string Dataset, string Site, string Name, int Width, int Height, int Bands, float[] Before, float[] After, byte[] Truth,
    double GroundSampleDistance = 1.0)
{
    public int PixelCount => Width * Height;
}
