using ChangeWatch.Core.Imaging;
using ChangeWatch.Synthetic;
using ChangeWatch.Synthetic.Rendering;

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

    [Theory]
    [InlineData(Formation.Park, 1.0)]
    [InlineData(Formation.Park, 0.5)]
    [InlineData(Formation.Convoy, 1.0)]
    [InlineData(Formation.Dispersed, 1.0)]
    public void Render_Vehicles_StandOnOpenGroundNeverOnATreeOrARoof(Formation formation, double gsd)
    {
        // Vehicles used to be painted over tree crowns and roofs wherever a park beside a road reached them.
        var placed = 0;
        for (ulong seed = 1; seed <= 40; seed++)
        {
            var pair = new SyntheticScene(384, 384, seed, groundSampleDistance: gsd).AddVehicles(formation, 30).AddVehicles(Formation.Park, 12, ChangeKind.None).Render();
            var layout = new SceneLayout(384, 384, seed);
            foreach (var o in pair.Objects)
            {
                placed++;
                Assert.DoesNotContain(layout.Trees, t => Math.Pow(t.X - o.X, 2) + Math.Pow(t.Y - o.Y, 2) < t.Radius * t.Radius);
                Assert.DoesNotContain(layout.Buildings, b => Math.Abs((o.X - b.Cx) * b.Ux + (o.Y - b.Cy) * b.Uy) < b.HalfLength && Math.Abs(-(o.X - b.Cx) * b.Uy + (o.Y - b.Cy) * b.Ux) < b.HalfWidth);
            }
        }

        Assert.True(placed >= 40 * 42 / 2, $"{placed} vehicles placed in 40 scenes of 42 asked for each");
    }

    [Theory]
    [InlineData(10, 10, 0, 3, true)] // a tree of radius 3 whose centre lies 3 px beside the body's long side (half width 1): overlaps
    [InlineData(10, 10, 0, 4.5, false)] // 4.5 px beside it: clear
    [InlineData(10, 10, 5, 0, true)] // 5 px along the body (half length 2.5): the crown reaches its end
    [InlineData(10, 10, 6, 0, false)]
    public void Obstructs_ATreeCrown_OnlyWhenTheCrownReachesTheBody(double x, double y, double treeDx, double treeDy, bool expected)
    {
        var layout = new SceneLayout(64, 64, 1);
        layout.Trees.Clear();
        layout.Buildings.Clear();
        layout.Trees.Add(new SceneLayout.Tree(x + treeDx, y + treeDy, 3));

        Assert.Equal(expected, layout.Obstructs(x, y, 1, 0, 2.5, 1));
    }

    [Theory]
    [InlineData(0, 0, true)] // on the roof
    [InlineData(8, 0, true)] // overlapping the roof's corner region once rotated
    [InlineData(0, 9, false)] // beside it (where its shadow may fall)
    [InlineData(14, 0, false)]
    public void Obstructs_ARoof_ByItsRotatedFootprint(double dx, double dy, bool expected)
    {
        var layout = new SceneLayout(64, 64, 1);
        layout.Trees.Clear();
        layout.Buildings.Clear();
        var angle = Math.PI / 6;
        layout.Buildings.Add(new SceneLayout.Building(32, 32, Math.Cos(angle), Math.Sin(angle), 8, 4, 3, Palette.Roofs[0], 1));

        Assert.Equal(expected, layout.Obstructs(32 + dx, 32 + dy, 1, 0, 2.5, 1));
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
