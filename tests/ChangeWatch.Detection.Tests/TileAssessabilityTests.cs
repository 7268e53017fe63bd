using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Detection.Tests;

/// <summary>
/// A tile is judged on the part of its window an image covers: a window reaching past the scenes' edge is assessable
/// when what lies inside is, and the masked fraction it reports is of that part.
/// </summary>
public sealed class TileAssessabilityTests
{
    [Theory]
    [InlineData(65536, 65536, 65536, true, 0.0, 1.0)] // inside the scene, nothing masked
    [InlineData(65536, 65536, 32768, true, 0.5, 1.0)] // half masked: at the limit
    [InlineData(65536, 65536, 32767, false, 0.5000153, 1.0)] // just past it
    [InlineData(65536, 12288, 12288, true, 0.0, 0.1875)] // a 48 px strip of a right-edge tile, all clear
    [InlineData(65536, 12288, 6000, false, 0.5117188, 0.1875)] // the strip, more than half of it lacking one date
    [InlineData(65536, 1024, 1024, true, 0.0, 1.0 / 64)] // a 32 × 32 corner: the least judged
    [InlineData(65536, 1023, 1023, false, 0.0, 1023.0 / 65536)] // one pixel less
    [InlineData(65536, 0, 0, false, 1.0, 0.0)] // nothing covered
    public void Judge_CoveredAndValidPixels_GivesTheVerdictOnTheCoveredPart(int pixels, int covered, int valid, bool assessable, double masked, double coveredFraction)
    {
        var verdict = TileAssessability.Judge(pixels, covered, valid, 0.5);

        Assert.Equal(assessable, verdict.Assessable);
        Assert.Equal(masked, verdict.MaskedFraction, 6);
        Assert.Equal(coveredFraction, verdict.CoveredFraction, 9);
    }

    [Fact]
    public void MarkCovered_PixelsWithDataInEitherDate_AreCovered_AnyNaNBandMeansThatDateHasNone()
    {
        const int w = 5, h = 2, n = w * h;
        var before = Enumerable.Repeat(10f, 2 * n).ToArray();
        var after = Enumerable.Repeat(20f, 2 * n).ToArray();
        before[0] = after[0] = float.NaN; // pixel 0: no data in either date (band 0 of both)
        before[n + 1] = float.NaN; // pixel 1: before lacks band 1, after has data
        after[2] = float.PositiveInfinity; // pixel 2: after lacks band 0, before has data
        before[3] = float.NaN;
        after[n + 3] = float.NaN; // pixel 3: each date lacks one band: neither has data
        var covered = new byte[n];

        var count = DateNormalisation.MarkCovered(new TileRaster(w, h, 2, before), new TileRaster(w, h, 2, after), covered);

        Assert.Equal([0, 1, 1, 0, 1, 1, 1, 1, 1, 1], covered);
        Assert.Equal(8, count);
        Assert.Equal(8, DateNormalisation.CountCovered(new TileRaster(w, h, 2, before), new TileRaster(w, h, 2, after)));
        Assert.Equal(6, DateNormalisation.CountValid(new TileRaster(w, h, 2, before), new TileRaster(w, h, 2, after)));
    }

    [Fact]
    public void MarkCovered_RandomGapsInBothDates_MarksEveryPixelWithDataInEither()
    {
        const int w = 37, h = 5, n = w * h; // not a multiple of any vector width: a partial last vector
        var random = new Random(8);
        var before = Enumerable.Range(0, 3 * n).Select(_ => random.NextDouble() < 0.3 ? float.NaN : 50f).ToArray();
        var after = Enumerable.Range(0, 3 * n).Select(_ => random.NextDouble() < 0.3 ? float.NegativeInfinity : 60f).ToArray();
        var expected = Enumerable.Range(0, n)
            .Select(i => Enumerable.Range(0, 3).All(b => float.IsFinite(before[b * n + i])) || Enumerable.Range(0, 3).All(b => float.IsFinite(after[b * n + i])) ? (byte)1 : (byte)0)
            .ToArray();
        var covered = new byte[n];

        var count = DateNormalisation.MarkCovered(new TileRaster(w, h, 3, before), new TileRaster(w, h, 3, after), covered);

        Assert.Equal(expected, covered);
        Assert.Equal(expected.Count(c => c == 1), count);
        Assert.InRange(count, 1, n - 1);
    }

    [Fact]
    public void Prepare_WindowPastTheSceneEdge_CountsWhatEitherDateCovers_MaskFractionsOfThatPart()
    {
        // A 256 px window whose right 160 columns lie past both scenes' edge, and whose covered part lacks the after
        // date in its top 32 rows.
        var pair = Some.QuietPair(seed: 31);
        var before = Outside(pair.Before, 96);
        var after = Outside(pair.After, 96);
        for (var b = 0; b < after.BandCount; b++)
        {
            for (var y = 0; y < 32; y++)
            {
                after.Row(b, y).Fill(float.NaN);
            }
        }

        var prepared = TilePairPreparation.Prepare(before, after);

        Assert.Equal(96 * 256, prepared.CoveredPixels);
        Assert.Equal(0.375, prepared.Masks.CoveredFraction, 9);
        Assert.Equal(32.0 / 256, prepared.Masks.NoDataFraction, 2); // a co-registration shift may add a column or row
    }

    /// <summary>A copy of <paramref name="raster"/> with no data from column <paramref name="inside"/> on, in every band.</summary>
    internal static TileRaster Outside(TileRaster raster, int inside)
    {
        var copy = new TileRaster(raster.Width, raster.Height, raster.BandCount, (float[])raster.Data.Clone(), raster.GeoReference);
        for (var b = 0; b < copy.BandCount; b++)
        {
            for (var y = 0; y < copy.Height; y++)
            {
                copy.Row(b, y)[inside..].Fill(float.NaN);
            }
        }

        return copy;
    }
}
