using ChangeWatch.Training.Data;
using ChangeWatch.Training.Evaluation;

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
    public void QuietScenes_OfTheScoringBenchmark_AreMostlyUnchangedAt1m_TheSameEveryRun()
    {
        var scenes = ScoringBenchmark.QuietScenes();
        var again = ScoringBenchmark.QuietScenes();

        Assert.Equal(27, scenes.Count);
        Assert.All(scenes, s => Assert.Equal(1.0, s.GroundSampleDistance));
        Assert.Equal(24, scenes.Count(s => s.Truth.All(t => t == 0)));
        Assert.Equal(3, scenes.Count(s => s.Truth.Any(t => t != 0)));
        var changedArea = scenes.Where(s => s.Truth.Any(t => t != 0)).Sum(s => s.Truth.Length) / (double)scenes.Sum(s => s.Truth.Length);
        Assert.InRange(changedArea, 0.03, 0.10);
        Assert.Equal(scenes.Select(s => (s.Site, s.After.Sum())), again.Select(s => (s.Site, s.After.Sum())));
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
