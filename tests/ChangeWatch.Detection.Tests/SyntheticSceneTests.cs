using ChangeWatch.Core.Imaging;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Detection.Tests;

public sealed class SyntheticSceneTests
{
    private static SyntheticPair Build(ulong seed) =>
        new SyntheticScene(256, 256, seed, includeNir: true)
            .AddVehicles(Formation.Park, 20)
            .AddEarthworks(2, 2)
            .WithNuisance(Nuisance.Draw(new ScenarioRandom(seed), NuisanceLevel.Strong))
            .Render();

    [Fact]
    public void Render_SameSeedTwice_GivesIdenticalBytes()
    {
        var a = Build(11);
        var b = Build(11);

        Assert.Equal(a.Before.Data, b.Before.Data);
        Assert.Equal(a.After.Data, b.After.Data);
        Assert.Equal(a.Label, b.Label);
        Assert.Equal(a.Changes, b.Changes);
    }

    [Fact]
    public void Render_DifferentSeeds_GiveDifferentImages()
    {
        var a = Build(11);
        var b = Build(12);

        Assert.NotEqual(a.Before.Data, b.Before.Data);
        Assert.NotEqual(a.Label, b.Label);
    }

    [Fact]
    public void Render_VehiclesArriving_LabelCoversEveryPixelTheyChanged()
    {
        var pair = new SyntheticScene(256, 256, 5).AddVehicles(Formation.Dispersed, 15).Render();
        var n = pair.Width * pair.Height;
        var uncovered = 0;
        var changed = 0;
        for (var i = 0; i < n; i++)
        {
            var delta = 0f;
            for (var b = 0; b < 3; b++)
            {
                delta = Math.Max(delta, Math.Abs(pair.After.Data[b * n + i] - pair.Before.Data[b * n + i]));
            }

            if (delta > 12f)
            {
                changed++;
                uncovered += pair.Label[i] == 0 ? 1 : 0;
            }
        }

        var placed = Assert.Single(pair.Changes);
        Assert.Equal(ChangeKind.ObjectBuildUp, placed.Kind);
        Assert.Equal(15, placed.ObjectCount);
        Assert.True(changed > 15 * 6, $"only {changed} pixels changed visibly");
        Assert.Equal(0, uncovered);
        Assert.True(pair.ChangedPixels >= changed);
    }

    [Fact]
    public void Render_PlacedChange_BoundsHoldEveryLabelledPixel()
    {
        var pair = new SyntheticScene(256, 256, 9).AddConstruction().Render();
        var bounds = Assert.Single(pair.Changes).Bounds;

        for (var i = 0; i < pair.Label.Length; i++)
        {
            if (pair.Label[i] == 1)
            {
                var (x, y) = (i % pair.Width, i / pair.Width);
                Assert.InRange(x, bounds.X, bounds.X + bounds.Width - 1);
                Assert.InRange(y, bounds.Y, bounds.Y + bounds.Height - 1);
            }
        }
    }

    [Fact]
    public void Render_NuisancesOnly_LabelIsEmpty()
    {
        var pair = new SyntheticScene(256, 256, 3)
            .AddVehicles(Formation.Park, 10, ChangeKind.None)
            .WithNuisance(Nuisance.Draw(new ScenarioRandom(3), NuisanceLevel.Strong))
            .Render();

        Assert.Equal(0, pair.ChangedPixels);
        Assert.Empty(pair.Changes);
        Assert.NotEqual(pair.Before.Data, pair.After.Data);
    }

    [Fact]
    public void Render_Departure_LabelsWhereVehiclesStoodBefore()
    {
        var pair = new SyntheticScene(256, 256, 21).AddVehicles(Formation.Convoy, 8, ChangeKind.ObjectDeparture).Render();

        var placed = Assert.Single(pair.Changes);
        Assert.Equal(ChangeKind.ObjectDeparture, placed.Kind);
        Assert.True(pair.ChangedPixels > 8 * 6);
    }

    [Fact]
    public void DemoScenario_Render_GathersVehiclesAtTwoSitesDeterministically()
    {
        var a = DemoScenario.Render();
        var b = DemoScenario.Render();

        Assert.Equal(a.After.Data, b.After.Data);
        Assert.Equal(DemoScenario.Size, a.Width);
        Assert.Equal(4, a.After.BandCount);
        var siteA = a.Changes.Where(c => c.Site == DemoScenario.SiteA).Sum(c => c.ObjectCount);
        Assert.InRange(siteA, 40, 80);
        Assert.Contains(a.Changes, c => c.Site == DemoScenario.SiteB && c.Kind == ChangeKind.Earthworks);
        var sites = DemoScenario.SiteBounds(a);
        Assert.Equal(2, sites.Count);
        Assert.False(Overlaps(sites[DemoScenario.SiteA], sites[DemoScenario.SiteB]));
    }

    [Fact]
    public void ScenarioRandom_SameSeed_SameSequence()
    {
        var a = new ScenarioRandom(42);
        var b = new ScenarioRandom(42);

        Assert.Equal(Enumerable.Range(0, 5).Select(_ => a.NextUInt64()), Enumerable.Range(0, 5).Select(_ => b.NextUInt64()));
        Assert.NotEqual(new ScenarioRandom(42).NextUInt64(), new ScenarioRandom(43).NextUInt64());
    }

    private static bool Overlaps(PixelWindow a, PixelWindow b) =>
        a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height;
}
