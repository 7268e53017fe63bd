using ChangeWatch.Training.Data;

namespace ChangeWatch.Detection.Tests;

public sealed class SyntheticTestSetTests
{
    [Fact]
    public void NuisanceOnly_AnyScene_HasNoLabelledChangeAndAtMostTwoPixelShift()
    {
        for (var i = 0; i < 3; i++)
        {
            var pair = EvalScenes.NuisanceOnly(SyntheticSeeds.EvalNuisance, i);

            Assert.Equal(0, pair.ChangedPixels);
            Assert.Empty(pair.Changes);
            Assert.True(Math.Sqrt(pair.Nuisance.ShiftX * pair.Nuisance.ShiftX + pair.Nuisance.ShiftY * pair.Nuisance.ShiftY) <= 2.0);
            Assert.Equal(0, pair.Nuisance.Season);
            Assert.Equal(0, pair.Nuisance.FieldChangeFraction);
        }
    }

    [Fact]
    public void Tiles_PipelineGrid_CoresCoverEveryScenePixelOnce()
    {
        var pair = EvalScenes.NuisanceOnly(SyntheticSeeds.EvalNuisance, 0);
        var covered = new int[pair.Width * pair.Height];

        foreach (var tile in SyntheticTiling.Tiles(pair))
        {
            Assert.Equal(256, tile.Before.Width);
            for (var y = tile.Core.Y; y < tile.Core.Y + tile.Core.Height; y++)
            {
                for (var x = tile.Core.X; x < tile.Core.X + tile.Core.Width; x++)
                {
                    covered[y * pair.Width + x]++;
                }
            }
        }

        Assert.All(covered, c => Assert.Equal(1, c));
    }

    [Fact]
    public void BuildUpScene_Truth_ListsArrivingVehiclesAfterOnly()
    {
        var pair = CountScenes.BuildUp(SyntheticSeeds.CountTuning, 0);

        Assert.Contains(pair.Objects, o => o.After && !o.Before);
        Assert.DoesNotContain(pair.Objects, o => !o.After && o.Before);
        Assert.Equal(pair.Changes.Sum(c => c.ObjectCount), pair.Objects.Count(o => o.After && !o.Before));
    }
}
