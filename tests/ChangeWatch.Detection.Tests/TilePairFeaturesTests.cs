namespace ChangeWatch.Detection.Tests;

public sealed class TilePairFeaturesTests
{
    private static float[] Features(Core.Imaging.TileRaster before, Core.Imaging.TileRaster after)
    {
        var f = new float[TilePairFeatures.Count];
        TilePairFeatures.Compute(before, after, f);
        return f;
    }

    private static float Get(float[] f, TilePairFeature feature) => f[(int)feature];

    [Fact]
    public void Names_MatchCountAndEnumOrder()
    {
        Assert.Equal(TilePairFeatures.Count, TilePairFeatures.Names.Count);
        Assert.Equal(nameof(TilePairFeature.MaskedFraction), TilePairFeatures.Names[0]);
        Assert.Equal(nameof(TilePairFeature.ChangeRegionLargestFraction), TilePairFeatures.Names[^1]);
    }

    [Fact]
    public void Compute_IdenticalImages_GivesZeroChangeFeatures()
    {
        var pair = Some.QuietPair();

        var f = Features(pair.Before, pair.Before);

        foreach (var feature in new[]
        {
            TilePairFeature.MagnitudeMean, TilePairFeature.MagnitudeP99, TilePairFeature.RawMagnitudeMean, TilePairFeature.Local5Max,
            TilePairFeature.Local15Max, TilePairFeature.GradientChangeMean, TilePairFeature.BlobsAppeared, TilePairFeature.BlobsDisappeared,
            TilePairFeature.DarkBlobsDifference, TilePairFeature.ChangeRegionCount, TilePairFeature.MaskedFraction,
        })
        {
            Assert.Equal(0f, Get(f, feature));
        }

        Assert.Equal(1f, Get(f, TilePairFeature.CorrelationGlobal), 4);
    }

    [Fact]
    public void Compute_GainAndOffsetOnly_GivesNearZeroMagnitude()
    {
        var pair = Some.QuietPair();
        var brighter = Some.Map(pair.Before, v => v * 1.3f + 12f);

        var f = Features(pair.Before, brighter);

        Assert.True(Get(f, TilePairFeature.MagnitudeP99) < 0.01f, $"p99 {Get(f, TilePairFeature.MagnitudeP99)}");
        Assert.True(Get(f, TilePairFeature.Local5Max) < 0.01f);
        Assert.Equal(0f, Get(f, TilePairFeature.ChangeRegionCount));
    }

    [Fact]
    public void Compute_ReflectanceUnits_GiveSameFeaturesAsByteUnits()
    {
        var pair = new Synthetic.SyntheticScene(256, 256, 4).AddVehicles(Synthetic.Formation.Park, 12).Render();

        var bytes = Features(pair.Before, pair.After);
        var reflectance = Features(Some.Map(pair.Before, v => v * 40f), Some.Map(pair.After, v => v * 40f));

        for (var i = 0; i < bytes.Length; i++)
        {
            Assert.True(Math.Abs(bytes[i] - reflectance[i]) <= 1e-3f + 1e-3f * Math.Abs(bytes[i]), $"{TilePairFeatures.Names[i]}: {bytes[i]} vs {reflectance[i]}");
        }
    }

    [Fact]
    public void Compute_DarkRectanglesInserted_CountsThemAsAppearedBlobs()
    {
        var pair = Some.QuietPair();
        var after = Some.WithDarkRectangles(pair.Before, Some.Grid(12));

        var f = Features(pair.Before, after);

        Assert.True(Get(f, TilePairFeature.DarkBlobsDifference) >= 8, $"difference {Get(f, TilePairFeature.DarkBlobsDifference)}");
        Assert.True(Get(f, TilePairFeature.BlobsAppeared) >= 8, $"appeared {Get(f, TilePairFeature.BlobsAppeared)}");
        Assert.Equal(0f, Get(f, TilePairFeature.BlobsDisappeared));
        Assert.True(Get(f, TilePairFeature.Local5Max) > 2f);
    }

    [Fact]
    public void Compute_HalfNoData_ReportsMaskedFraction()
    {
        var pair = Some.QuietPair();
        var after = Some.Map(pair.After, v => v);
        for (var b = 0; b < after.BandCount; b++)
        {
            for (var y = 0; y < after.Height; y++)
            {
                after.Row(b, y)[..(after.Width / 2)].Fill(float.NaN);
            }
        }

        var f = new float[TilePairFeatures.Count];
        var masked = TilePairFeatures.Compute(pair.Before, after, f);

        Assert.Equal(0.5, masked, 3);
        Assert.Equal(0.5f, Get(f, TilePairFeature.MaskedFraction), 3);
        Assert.All(f, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Compute_ScoreMap_PeaksOnInsertedObjects()
    {
        var pair = Some.QuietPair();
        var corners = Some.Grid(6).ToArray();
        var after = Some.WithDarkRectangles(pair.Before, corners);
        var map = new float[pair.Width * pair.Height];

        TilePairFeatures.Compute(pair.Before, after, new float[TilePairFeatures.Count], map);

        var onObjects = corners.Select(c => map[(c.Y + 3) * pair.Width + c.X + 1]).ToArray();
        Assert.True(onObjects.Count(v => v > 1.5f) >= 4, "scores on the objects: " + string.Join(", ", onObjects));
        Assert.True(map[10 * pair.Width + 10] < 0.5f, $"score far from the objects {map[10 * pair.Width + 10]}");
    }

    [Fact]
    public void Compute_MismatchedSizes_Throws()
    {
        var a = new Core.Imaging.TileRaster(32, 32, 3);
        var b = new Core.Imaging.TileRaster(32, 16, 3);

        Assert.Throws<ArgumentException>(() => TilePairFeatures.Compute(a, b, new float[TilePairFeatures.Count]));
    }
}
