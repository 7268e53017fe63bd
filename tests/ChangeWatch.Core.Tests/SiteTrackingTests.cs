using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Core.Tests.Fakes;
using ChangeWatch.Core.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChangeWatch.Core.Tests;

public sealed class SiteTrackingTests
{
    private const string Aoi = "tracked-aoi";

    // 64 px tiles, 8 px overlap: cores of 56 px.
    private static readonly AoiGrid Grid = new(Aoi, 64, 8, null, 560, 560);

    private static readonly DateTimeOffset Day1 = new(2026, 4, 1, 9, 0, 0, TimeSpan.Zero);

    private static SceneId Scene(int n) => SceneId.Parse($"{n:x16}");

    private static SceneRecord SceneRecord(int n) => new()
    {
        Id = Scene(n),
        Aoi = Aoi,
        Sha256 = new string('0', 48) + $"{n:x16}",
        BlobName = $"{Aoi}/scene{n}.tif",
        Length = 1,
        Width = 560,
        Height = 560,
        BandCount = 3,
        Format = RasterFormat.Tiff,
        Metadata = new SceneMetadata { AcquiredAt = Day1.AddDays(n) },
    };

    private static SiteModel Site(string id, PixelWindow bounds, double probability = 0.9) => new()
    {
        Id = id,
        ChangeType = "object-build-up",
        Probability = probability,
        Assessment = ConfidenceWording.Assess(probability, "object-build-up"),
        Tiles = ["0_0"],
        GridBounds = bounds,
        SceneBounds = bounds,
        ChangedPixels = (int)bounds.Area,
    };

    private static SiteTrack Track(string id, PixelWindow footprint, int firstDay, int latestDay) => new()
    {
        Aoi = Aoi,
        Id = id,
        FirstSceneId = Scene(firstDay),
        FirstSeenAt = Day1.AddDays(firstDay),
        Footprint = footprint,
        FootprintAt = Day1.AddDays(latestDay),
        LatestAt = Day1.AddDays(latestDay),
    };

    /// <summary>Every tile of the 10 × 10 grid, assessable unless listed.</summary>
    private static List<TileResult> Tiles(int scene, params TileId[] notAssessable)
    {
        var list = new List<TileResult>();
        for (var r = 0; r < 10; r++)
        {
            for (var c = 0; c < 10; c++)
            {
                list.Add(new TileResult
                {
                    SceneId = Scene(scene),
                    Tile = new TileId(r, c),
                    BaselineId = Scene(scene - 1),
                    Probability = 0.1,
                    Flagged = false,
                    Assessable = !notAssessable.Contains(new TileId(r, c)),
                    MaskedFraction = 0,
                    ChangedFraction = 0,
                    ModelVersion = "test",
                    ModelSha256 = new string('a', 64),
                });
            }
        }

        return list;
    }

    private static SceneTracking Match(int scene, IEnumerable<SiteTrack> tracks, params SiteModel[] sites) =>
        SiteMatcher.Match(Aoi, Scene(scene), Day1.AddDays(scene), tracks, sites, Grid, Tiles(scene));

    private static TrackUpdate UpdateOf(SceneTracking tracking, string trackId) => tracking.Updates.Single(u => u.TrackId == trackId);

    [Fact]
    public void Match_SiteOverlappingAnOpenTrack_ContinuesIt()
    {
        var track = Track("t-old", new PixelWindow(100, 100, 40, 40), 2, 2);

        var tracking = Match(3, [track], Site("S1", new PixelWindow(120, 110, 60, 30)));

        Assert.Equal("t-old", tracking.TrackOf("S1"));
        var update = Assert.Single(tracking.Updates);
        Assert.False(update.Starts);
        Assert.Equal(SightingOutcome.Flagged, update.Sighting.Outcome);
        Assert.Null(update.Sighting.Note);
    }

    [Fact]
    public void Match_SiteWithinTheJoinDistanceOfATrack_ContinuesIt()
    {
        var track = Track("t-old", new PixelWindow(100, 100, 40, 40), 2, 2);

        var tracking = Match(3, [track], Site("S1", new PixelWindow(140 + SiteClusterer.JoinDistance, 100, 20, 20)));

        Assert.Equal("t-old", tracking.TrackOf("S1"));
    }

    [Fact]
    public void Match_SiteAwayFromEveryTrack_StartsATrackNamedAfterSceneAndSite_AndTheOldOneIsNotFlagged()
    {
        var track = Track("t-old", new PixelWindow(100, 100, 40, 40), 2, 2);

        var tracking = Match(3, [track], Site("S1", new PixelWindow(400, 400, 20, 20)));

        var id = SiteTrack.MakeId(Scene(3), "S1");
        Assert.Equal("0000000000000003-S1", id);
        Assert.Equal(id, tracking.TrackOf("S1"));
        Assert.True(UpdateOf(tracking, id).Starts);
        Assert.Equal(SightingOutcome.NotFlagged, UpdateOf(tracking, "t-old").Sighting.Outcome);
        Assert.Null(UpdateOf(tracking, "t-old").Sighting.SiteId);
    }

    [Fact]
    public void Match_TrackOverAMaskedTile_IsNotAssessable()
    {
        var track = Track("t-old", new PixelWindow(100, 100, 40, 40), 2, 2); // cores 1_1 and 1_2 (56 px stride)

        var tracking = SiteMatcher.Match(Aoi, Scene(3), Day1.AddDays(3), [track], [], Grid, Tiles(3, new TileId(1, 2)));

        var sighting = UpdateOf(tracking, "t-old").Sighting;
        Assert.Equal(SightingOutcome.NotAssessable, sighting.Outcome);
        Assert.Equal("1 of 4 tiles over it were masked or outside the scene", sighting.Note);
    }

    [Fact]
    public void Match_SiteOverTwoTracks_TheOlderContinuesAndTheOtherIsMergedIntoIt()
    {
        var older = Track("t-older", new PixelWindow(100, 100, 20, 20), 1, 2);
        var newer = Track("t-newer", new PixelWindow(130, 100, 60, 60), 2, 2);

        var tracking = Match(3, [newer, older], Site("S1", new PixelWindow(100, 100, 90, 60)));

        Assert.Equal("t-older", tracking.TrackOf("S1"));
        Assert.Equal("merged with t-newer", UpdateOf(tracking, "t-older").Sighting.Note);
        var merged = UpdateOf(tracking, "t-newer");
        Assert.Equal(SightingOutcome.Merged, merged.Sighting.Outcome);
        Assert.Equal("t-older", merged.MergedInto);
        Assert.Equal("merged into t-older", merged.Sighting.Note);
        Assert.Equal(2, tracking.Updates.Count);
    }

    [Fact]
    public void Match_TwoSitesOverOneTrack_TheLargerOverlapContinuesAndTheOtherSplitsOff()
    {
        var track = Track("t-old", new PixelWindow(100, 100, 100, 40), 2, 2);

        var tracking = Match(3, [track],
            Site("S1", new PixelWindow(100, 100, 20, 40), probability: 0.95),
            Site("S2", new PixelWindow(140, 100, 60, 40), probability: 0.8));

        Assert.Equal("t-old", tracking.TrackOf("S2"));
        var split = SiteTrack.MakeId(Scene(3), "S1");
        Assert.Equal(split, tracking.TrackOf("S1"));
        Assert.True(UpdateOf(tracking, split).Starts);
        Assert.Equal("split from t-old", UpdateOf(tracking, split).Sighting.Note);
    }

    [Fact]
    public void Match_TrackUpdatedByALaterScene_IsNotMatchedAndGetsNoEntry()
    {
        var later = Track("t-later", new PixelWindow(100, 100, 40, 40), 2, 5);

        var tracking = Match(3, [later], Site("S1", new PixelWindow(100, 100, 40, 40)));

        Assert.Equal(SiteTrack.MakeId(Scene(3), "S1"), tracking.TrackOf("S1"));
        Assert.DoesNotContain(tracking.Updates, u => u.TrackId == "t-later");
    }

    [Fact]
    public void Match_MergedTrack_IsNotMatchedAgain()
    {
        var merged = Track("t-merged", new PixelWindow(100, 100, 40, 40), 1, 2) with { MergedInto = "t-other" };

        var tracking = Match(3, [merged], Site("S1", new PixelWindow(100, 100, 40, 40)));

        Assert.Equal(SiteTrack.MakeId(Scene(3), "S1"), tracking.TrackOf("S1"));
        Assert.DoesNotContain(tracking.Updates, u => u.TrackId == "t-merged");
    }

    [Fact]
    public void Match_TracksInAnyOrder_GiveTheSameTracking()
    {
        SiteTrack[] tracks =
        [
            Track("t-a", new PixelWindow(100, 100, 40, 40), 1, 2),
            Track("t-b", new PixelWindow(130, 100, 40, 40), 1, 2),
            Track("t-c", new PixelWindow(300, 300, 40, 40), 2, 2),
        ];
        SiteModel[] sites = [Site("S1", new PixelWindow(110, 100, 50, 40)), Site("S2", new PixelWindow(500, 500, 10, 10))];

        var forward = Match(3, tracks, sites);
        var backward = Match(3, tracks.Reverse(), sites);

        Assert.Equal(Core.Pipeline.PipelineJson.Serialize(forward), Core.Pipeline.PipelineJson.Serialize(backward));
    }

    [Fact]
    public async Task Track_ThreeScenes_SiteSeenAgainKeepsItsIdAndHistory()
    {
        var catalog = new InMemoryCatalog();
        var tracker = new SiteTracker(catalog, NullLogger.Instance);

        var second = await tracker.TrackAsync(SceneRecord(2), Grid, [Site("S1", new PixelWindow(100, 100, 40, 40))], Tiles(2), CancellationToken.None);
        var third = await tracker.TrackAsync(SceneRecord(3), Grid,
            [Site("S1", new PixelWindow(400, 400, 20, 20), 0.99), Site("S2", new PixelWindow(95, 100, 60, 50))], Tiles(3), CancellationToken.None);

        var id = Assert.Single(second).TrackId;
        Assert.Equal("0000000000000002-S1", id);
        var again = third.Single(s => s.Id == "S2");
        Assert.Equal(id, again.TrackId);
        Assert.Equal(new SceneReference(Scene(2).Value, Day1.AddDays(2)), again.FirstSeen);
        Assert.Equal([Scene(2).Value, Scene(3).Value], again.History.Select(h => h.SceneId));
        Assert.Equal(["flagged", "flagged"], again.History.Select(h => h.Outcome));
        Assert.Equal(["S1", "S2"], again.History.Select(h => h.SiteId));
        Assert.Equal("0000000000000003-S1", third.Single(s => s.Id == "S1").TrackId);
        var stored = Assert.Single(await catalog.GetSiteTracksAsync(Aoi, CancellationToken.None), t => t.Track.Id == id).Track;
        Assert.Equal(new PixelWindow(95, 100, 60, 50), stored.Footprint);
        Assert.Equal(Day1.AddDays(3), stored.LatestAt);
    }

    [Fact]
    public async Task Track_SceneWithoutChangeOverATrack_RecordsNotFlaggedInItsHistory()
    {
        var catalog = new InMemoryCatalog();
        var tracker = new SiteTracker(catalog, NullLogger.Instance);
        await tracker.TrackAsync(SceneRecord(2), Grid, [Site("S1", new PixelWindow(100, 100, 40, 40))], Tiles(2), CancellationToken.None);
        await tracker.TrackAsync(SceneRecord(3), Grid, [], Tiles(3), CancellationToken.None);

        var fourth = await tracker.TrackAsync(SceneRecord(4), Grid, [Site("S1", new PixelWindow(100, 100, 50, 50))], Tiles(4), CancellationToken.None);

        Assert.Equal(["flagged", "not-flagged", "flagged"], Assert.Single(fourth).History.Select(h => h.Outcome));
        Assert.Equal("0000000000000002-S1", fourth[0].TrackId);
    }

    [Fact]
    public async Task Track_SameSceneAgain_ChangesNothingAndGivesTheSameSites()
    {
        var catalog = new InMemoryCatalog();
        var tracker = new SiteTracker(catalog, NullLogger.Instance);
        await tracker.TrackAsync(SceneRecord(2), Grid, [Site("S1", new PixelWindow(100, 100, 40, 40))], Tiles(2), CancellationToken.None);
        SiteModel[] sites = [Site("S1", new PixelWindow(100, 100, 60, 60)), Site("S2", new PixelWindow(400, 400, 10, 10))];
        var first = await tracker.TrackAsync(SceneRecord(3), Grid, sites, Tiles(3), CancellationToken.None);
        var writes = catalog.TrackWrites;
        var tracks = await catalog.GetSiteTracksAsync(Aoi, CancellationToken.None);

        // A redelivered message: the tracks now include scene 3, but its stored matching is applied, not a new one.
        var again = await tracker.TrackAsync(SceneRecord(3), Grid, sites, Tiles(3), CancellationToken.None);

        Assert.Equal(writes, catalog.TrackWrites);
        Assert.Equal(tracks, await catalog.GetSiteTracksAsync(Aoi, CancellationToken.None));
        Assert.Equal(first.Select(s => (s.Id, s.TrackId, s.History.Count)), again.Select(s => (s.Id, s.TrackId, s.History.Count)));
        Assert.Equal(2, tracks.Count);
    }

    [Fact]
    public async Task Track_TrackChangedByAnotherWriterMeanwhile_RetriesAndKeepsBothChanges()
    {
        var catalog = new InMemoryCatalog();
        var tracker = new SiteTracker(catalog, NullLogger.Instance);
        await tracker.TrackAsync(SceneRecord(2), Grid, [Site("S1", new PixelWindow(100, 100, 40, 40))], Tiles(2), CancellationToken.None);
        var interfered = false;
        catalog.BeforeTrackSave = track =>
        {
            if (interfered)
            {
                return;
            }

            // Another writer merges the track into a third one between our read and our write.
            interfered = true;
            var stored = catalog.GetSiteTracksAsync(Aoi, CancellationToken.None).Result.Single(t => t.Track.Id == track.Id);
            Assert.True(catalog.TrySaveSiteTrackAsync(stored.Track with { MergedInto = "t-elsewhere" }, stored.Version, CancellationToken.None).Result);
        };

        await tracker.TrackAsync(SceneRecord(3), Grid, [Site("S1", new PixelWindow(100, 100, 60, 60))], Tiles(3), CancellationToken.None);

        var stored = Assert.Single(await catalog.GetSiteTracksAsync(Aoi, CancellationToken.None)).Track;
        Assert.True(interfered);
        Assert.Equal("t-elsewhere", stored.MergedInto);
        Assert.Equal(new PixelWindow(100, 100, 60, 60), stored.Footprint);
        Assert.Equal(Day1.AddDays(3), stored.LatestAt);
    }
}
