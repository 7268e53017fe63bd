using System.Text.Json;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Messages;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Reporting;
using ChangeWatch.Core.Tests.Fakes;

namespace ChangeWatch.Core.Tests;

public sealed class PipelineTests
{
    private const string Aoi = "kharkiv-north";

    [Fact]
    public async Task Pipeline_FirstSceneOfAoi_ProducesOneBaselineRegisteredReport()
    {
        var h = new PipelineHarness();

        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();

        var ready = Assert.Single(h.ReportsReady);
        var message = JsonSerializer.Deserialize<ReportReadyMessage>(ready, PipelineJson.Options)!;
        Assert.Equal(ReportKinds.BaselineRegistered, message.Kind);
        Assert.Equal(0, message.SiteCount);
        Assert.Equal(0, h.Scorer.Calls);
        Assert.NotNull(h.Blobs.Get(StorageNames.ReportsContainer, message.ReportJson));
    }

    [Fact]
    public async Task Pipeline_SecondSceneWithChange_ReportsOneSiteOverTheChange()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();

        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        await h.DrainAsync();

        Assert.Equal(2, h.ReportsReady.Count);
        var (model, imagery) = h.Renderer.Rendered.Single(r => r.Model.Kind == ReportKinds.Change);
        var site = Assert.Single(model.Sites);
        Assert.Equal(new Imaging.PixelWindow(70, 40, 20, 20), site.SceneBounds);
        Assert.Equal(400, site.ChangedPixels);
        Assert.True(imagery.Chips.ContainsKey(site.Id));
        Assert.NotNull(imagery.Chips[site.Id].Mask);
        Assert.Equal(model.Tiles.Total, model.Tiles.Assessable + model.Tiles.NotAssessable);
    }

    [Fact]
    public async Task Pipeline_ScorerWithoutCounts_SiteObjectsNotMeasuredAndACaveatSaysSo()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();

        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        await h.DrainAsync();

        var model = h.Renderer.Rendered.Single(r => r.Model.Kind == ReportKinds.Change).Model;
        Assert.Null(Assert.Single(model.Sites).Objects);
        Assert.Contains(model.Caveats, c => c.StartsWith("Object counts before/after were not measured", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pipeline_CountModelWithARecordedAccuracy_ReportQuotesItOnlyWhereSitesHaveCounts(bool counts)
    {
        var h = new PipelineHarness();
        h.Scorer.Model = h.Scorer.Model with { ObjectModelVersion = "objects-test", ObjectModelSha256 = new string('c', 64), ObjectModelAccuracy = "within 20 % in 2 of 3 test scenes." };
        h.Scorer.Objects = counts ? new ObjectCounts(1, 4) : null;

        var (model, _) = await BlockChangeAsync(h);

        const string caveat = "Vehicle counts are estimates by objects-test: within 20 % in 2 of 3 test scenes.";
        Assert.Equal(counts, model.Sites.Any(s => s.Objects is not null));
        Assert.Equal(counts, model.Caveats.Contains(caveat));
    }

    [Fact]
    public async Task Pipeline_SceneWithoutSites_HasNoObjectCountCaveat()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();

        await h.UploadAsync(Aoi, "same-again.tif", SyntheticTiffDecoder.Create(150, 130, change: (0, 0, 0)));
        await h.DrainAsync();

        var model = h.Renderer.Rendered.Single(r => r.Model.Kind == ReportKinds.Change).Model;
        Assert.Empty(model.Sites);
        Assert.DoesNotContain(model.Caveats, c => c.Contains("Object counts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pipeline_ScorerWithCounts_SiteSumsItsTilesAndNoCountCaveat()
    {
        var h = new PipelineHarness();
        h.Scorer.Objects = new ObjectCounts(1, 4);
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();

        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        await h.DrainAsync();

        var model = h.Renderer.Rendered.Single(r => r.Model.Kind == ReportKinds.Change).Model;
        var site = Assert.Single(model.Sites);
        Assert.Equal(new ObjectCounts(site.Tiles.Count, 4 * site.Tiles.Count), site.Objects);
        Assert.DoesNotContain(model.Caveats, c => c.Contains("Object counts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pipeline_TilesFlaggedByObjectEvidence_ResultsSayItWithoutATypeModel_AndTheReportCaveatsIt()
    {
        var h = new PipelineHarness();
        h.Scorer.Model = h.Scorer.Model with { TypeModelVersion = "types-test", TypeModelSha256 = new string('b', 64) };
        h.Scorer.ByObjectEvidence = true;

        var (model, results) = await BlockChangeAsync(h);

        var flagged = results.Where(r => r.Flagged).ToList();
        Assert.NotEmpty(flagged);
        Assert.All(flagged, r => Assert.Equal((true, null, null), (r.FlaggedByObjectEvidence, r.TypeModelVersion, r.TypeModelSha256)));
        Assert.All(results.Where(r => !r.Flagged), r => Assert.Null(r.FlaggedByObjectEvidence));
        Assert.Contains(model.Caveats, c => c.StartsWith($"{flagged.Count} of {flagged.Count} flagged tiles were flagged by object evidence", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pipeline_ScorerWithATypeModel_TileResultsAndReportRecordItsVersionAndSha()
    {
        var h = new PipelineHarness();
        var typeSha = new string('b', 64);
        h.Scorer.Model = h.Scorer.Model with { TypeModelVersion = "types-test", TypeModelSha256 = typeSha };
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();

        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        await h.DrainAsync();

        var model = h.Renderer.Rendered.Single(r => r.Model.Kind == ReportKinds.Change).Model;
        var baseline = h.Renderer.Rendered.Single(r => r.Model.Kind == ReportKinds.BaselineRegistered).Model;
        var tiles = await h.Catalog.GetTileResultsAsync(SceneId.Parse(model.Scene.SceneId), TestContext.Current.CancellationToken);
        Assert.Equal(("types-test", typeSha), (model.TypeModelVersion, model.TypeModelSha256));
        Assert.Null(baseline.TypeModelVersion);
        Assert.NotEmpty(tiles);
        Assert.All(tiles, t => Assert.Equal(("types-test", typeSha), (t.TypeModelVersion, t.TypeModelSha256)));
    }

    [Fact]
    public async Task Pipeline_ScorerThatCountsObjects_CountedTilesAndReportRecordTheCountModel()
    {
        var h = new PipelineHarness();
        var countSha = new string('c', 64);
        h.Scorer.Model = h.Scorer.Model with { ObjectModelVersion = "objects-test", ObjectModelSha256 = countSha };
        h.Scorer.Objects = new ObjectCounts(1, 4);

        var (model, tiles) = await BlockChangeAsync(h);

        Assert.Equal(("objects-test", countSha), (model.ObjectModelVersion, model.ObjectModelSha256));
        Assert.Contains(tiles, t => t.Objects is not null);
        Assert.All(tiles, t => Assert.Equal(t.Objects is null ? (null, null) : ("objects-test", countSha), (t.ObjectModelVersion, t.ObjectModelSha256)));
    }

    [Theory]
    [InlineData(true, 0.41)]
    [InlineData(false, 0.66)]
    public async Task Pipeline_ScorerWithAThresholdByResolution_ReportStatesTheOneForTheScenesResolution(bool georeferenced, double expected)
    {
        var h = new PipelineHarness();
        h.Scorer.Thresholds = gsd => gsd is 1.0 ? 0.41 : gsd is null ? 0.66 : 0.99;
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130, georeferenced: georeferenced));
        await h.DrainAsync();

        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20), georeferenced: georeferenced));
        await h.DrainAsync();

        var model = h.Renderer.Rendered.Single(r => r.Model.Kind == ReportKinds.Change).Model;
        Assert.Equal(expected, model.ModelThreshold);
        Assert.NotEqual(h.Scorer.Model.Threshold, model.ModelThreshold);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public async Task Pipeline_ScorerAdaptiveAtTheScenesResolution_ReportSaysSo(bool georeferenced, bool expected)
    {
        var h = new PipelineHarness();
        h.Scorer.Adaptive = gsd => gsd is 1.0;
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130, georeferenced: georeferenced));
        await h.DrainAsync();

        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20), georeferenced: georeferenced));
        await h.DrainAsync();

        var reports = h.Renderer.Rendered.Select(r => r.Model).ToList();
        Assert.Equal(expected, reports.Single(r => r.Kind == ReportKinds.Change).ModelThresholdAdaptive);
        Assert.Null(reports.Single(r => r.Kind == ReportKinds.BaselineRegistered).ModelThresholdAdaptive);
    }

    [Fact]
    public async Task Pipeline_ScorerWithRegistrationAndMasks_TileResultsSiteAndCaveatsCarryThem()
    {
        var h = new PipelineHarness();
        h.Scorer.Registration = new CoRegistration(3.2, -1.1, 0.8, 3.38, CoRegistrationOutcome.RefusedLargeShift);
        h.Scorer.Masks = new MaskSummary(0, 0.04, 0.01, HazeBefore: false, HazeAfter: true);

        var (model, results) = await BlockChangeAsync(h);

        Assert.All(results.Where(r => r.Assessable), r =>
        {
            Assert.Equal(CoRegistrationOutcome.RefusedLargeShift, r.RegistrationOutcome);
            Assert.Equal(0.04, r.CloudFraction);
            Assert.Equal(0.01, r.CloudShadowFraction);
            Assert.False(r.HazeBefore);
            Assert.True(r.HazeAfter);
        });
        var site = Assert.Single(model.Sites);
        Assert.Equal(3.38, site.MaxResidual);
        Assert.Equal(0.05, site.CloudMaskedFraction!.Value, 9);
        Assert.Contains(model.Caveats, c => c.StartsWith("Clouds or cloud shadow were masked in", StringComparison.Ordinal));
        Assert.Contains(model.Caveats, c => c.StartsWith("The scene looked hazy against the baseline", StringComparison.Ordinal));
        Assert.DoesNotContain(model.Caveats, c => c.StartsWith("The baseline looked hazy", StringComparison.Ordinal));
        Assert.Contains(model.Caveats, c => c.StartsWith("Co-registration was refused in", StringComparison.Ordinal) && c.Contains("shift too large", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pipeline_ScorerWithoutRegistrationOrMasks_SiteFieldsNotMeasuredAndNoPreparationCaveats()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();

        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        await h.DrainAsync();

        var model = h.Renderer.Rendered.Single(r => r.Model.Kind == ReportKinds.Change).Model;
        var site = Assert.Single(model.Sites);
        Assert.Null(site.MaxResidual);
        Assert.Null(site.CloudMaskedFraction);
        Assert.DoesNotContain(model.Caveats, c => c.Contains("hazy", StringComparison.Ordinal) || c.Contains("Clouds", StringComparison.Ordinal)
            || c.Contains("Co-registration was refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pipeline_SiteFlaggedAgainInTheNextScene_KeepsItsTrackWithTwoHistoryEntries_AlsoWhenEveryMessageComesTwice()
    {
        var reports = new List<ReportModel>();
        foreach (var redeliver in new[] { false, true })
        {
            var h = new PipelineHarness();
            await h.UploadAsync(Aoi, "first.tif", SyntheticTiffDecoder.Create(150, 130));
            await h.DrainAsync(redeliver);
            await h.UploadAsync(Aoi, "second.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
            await h.DrainAsync(redeliver);
            await h.UploadAsync(Aoi, "third.tif", SyntheticTiffDecoder.Create(150, 130, change: (60, 30, 40)));
            await h.DrainAsync(redeliver);

            var changes = h.Renderer.Rendered.Where(r => r.Model.Kind == ReportKinds.Change).Select(r => r.Model).DistinctBy(m => m.Scene.SceneId).ToList();
            Assert.Equal(2, changes.Count);
            var second = Assert.Single(changes[0].Sites);
            var third = Assert.Single(changes[1].Sites);
            Assert.Equal($"{changes[0].Scene.SceneId}-S1", second.TrackId);
            Assert.Equal(second.TrackId, third.TrackId);
            Assert.Equal(new SceneReference(changes[0].Scene.SceneId, changes[0].Scene.AcquiredAt), third.FirstSeen);
            Assert.Equal([changes[0].Scene.SceneId, changes[1].Scene.SceneId], third.History.Select(e => e.SceneId));
            Assert.Single(await h.Catalog.GetSiteTracksAsync(Aoi, CancellationToken.None));
            reports.Add(changes[1]);
        }

        Assert.Equal(PipelineJson.Serialize(reports[0].Sites), PipelineJson.Serialize(reports[1].Sites));
    }

    [Fact]
    public async Task Pipeline_EveryMessageDeliveredTwice_EndsInTheSameStateWithOneReportPerScene()
    {
        var once = new PipelineHarness();
        var twice = new PipelineHarness();
        foreach (var (h, redeliver) in new[] { (once, false), (twice, true) })
        {
            await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
            await h.DrainAsync(redeliver);
            await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (10, 10, 30)));
            await h.DrainAsync(redeliver);
        }

        Assert.Equal(2, twice.ReportsReady.Count);
        Assert.Equal(once.Blobs.Names(StorageNames.TilesContainer), twice.Blobs.Names(StorageNames.TilesContainer));
        Assert.Equal(once.Blobs.Names(StorageNames.ReportsContainer), twice.Blobs.Names(StorageNames.ReportsContainer));
        var scenes = await twice.Catalog.ListScenesAsync(Aoi, CancellationToken.None);
        Assert.All(scenes, s => Assert.Equal(SceneStatus.Reported, s.Status));
    }

    [Fact]
    public async Task Pipeline_SameFileUploadedTwiceUnderTwoNames_IsOneSceneAndOneReport()
    {
        var h = new PipelineHarness();
        var bytes = SyntheticTiffDecoder.Create(100, 100);

        await h.UploadAsync(Aoi, "scene.tif", bytes);
        await h.UploadAsync(Aoi, "scene-copy.tif", bytes);
        await h.DrainAsync();

        Assert.Single(await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None));
        Assert.Single(h.ReportsReady);
        Assert.Equal(await h.Catalog.GetUploadAsync($"{Aoi}/scene.tif", CancellationToken.None),
            await h.Catalog.GetUploadAsync($"{Aoi}/scene-copy.tif", CancellationToken.None));
    }

    [Fact]
    public async Task Pipeline_CorruptUploadThenGoodUpload_QuarantinesTheFirstAndReportsTheSecond()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "broken.tif", "II*\0garbage"u8.ToArray());
        await h.UploadAsync(Aoi, "good.tif", SyntheticTiffDecoder.Create(100, 100));
        await h.DrainAsync();

        var rejection = Assert.Single(await h.Catalog.ListRejectionsAsync(CancellationToken.None));
        Assert.Equal(RejectionCode.CorruptImage, rejection.Code);
        Assert.Equal("IngestScene", rejection.Stage);
        Assert.Equal("incoming/kharkiv-north/broken.tif", rejection.QuarantineBlob);
        Assert.Equal("II*\0garbage"u8.ToArray(), h.Blobs.Get(StorageNames.QuarantineContainer, rejection.QuarantineBlob!));
        Assert.NotNull(h.Blobs.Get(StorageNames.QuarantineContainer, rejection.QuarantineBlob + ".rejection.json"));
        Assert.NotNull(h.Blobs.Get(StorageNames.IncomingContainer, $"{Aoi}/broken.tif"));
        Assert.Single(h.ReportsReady);
    }

    [Theory]
    [InlineData(new byte[0], RejectionCode.EmptyFile)]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0 }, RejectionCode.UnsupportedFormat)]
    public async Task SceneUploaded_BadBytes_RejectsWithItsCodeAndEnqueuesNothing(byte[] content, string code)
    {
        var h = new PipelineHarness();

        await h.UploadAsync(Aoi, "upload.tif", content);

        Assert.Equal(code, Assert.Single(await h.Catalog.ListRejectionsAsync(CancellationToken.None)).Code);
        Assert.Empty(h.Queue.Peek(StorageNames.SceneIngestQueue));
    }

    [Fact]
    public async Task SceneUploaded_UploadLargerThanTheLimit_RejectsAsTooLarge()
    {
        var h = new PipelineHarness(new PipelineOptions { TileSize = 64, TileOverlap = 8, MaxUploadBytes = 10 });

        await h.UploadAsync(Aoi, "big.tif", SyntheticTiffDecoder.Create(10, 10));

        Assert.Equal(RejectionCode.TooLarge, Assert.Single(await h.Catalog.ListRejectionsAsync(CancellationToken.None)).Code);
    }

    [Fact]
    public async Task SceneUploaded_Sidecar_IsNotIngestedOnItsOwn()
    {
        var h = new PipelineHarness();

        await h.UploadAsync(Aoi, "scene.png.json", "{}"u8.ToArray());

        Assert.Empty(h.Queue.Peek(StorageNames.SceneIngestQueue));
        Assert.Empty(await h.Catalog.ListRejectionsAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("bad aoi", "x.tif")]
    [InlineData("aoi", "..")]
    [InlineData("aoi", "sub/dir.tif")]
    public async Task SceneUploaded_UnsafeName_RejectsAsInvalidName(string aoi, string name)
    {
        var h = new PipelineHarness();

        await h.UploadAsync(aoi, name, SyntheticTiffDecoder.Create(10, 10));

        Assert.Equal(RejectionCode.InvalidName, Assert.Single(await h.Catalog.ListRejectionsAsync(CancellationToken.None)).Code);
    }

    [Fact]
    public async Task Ingest_PngWithoutSidecar_RejectsAsMissingSidecar()
    {
        var h = new PipelineHarness();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];

        await h.UploadAsync(Aoi, "scene.png", png);
        await h.DrainAsync();

        Assert.Equal(RejectionCode.MissingSidecar, Assert.Single(await h.Catalog.ListRejectionsAsync(CancellationToken.None)).Code);
    }

    [Fact]
    public async Task Ingest_SceneOfAnotherSizeWithoutGeoreferencing_RejectsAsSizeMismatch()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(100, 100));
        await h.DrainAsync();

        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(120, 100));
        await h.DrainAsync();

        Assert.Equal(RejectionCode.SizeMismatch, Assert.Single(await h.Catalog.ListRejectionsAsync(CancellationToken.None)).Code);
        Assert.Single(h.ReportsReady);
    }

    [Fact]
    public async Task Ingest_GeoreferencedSceneWithOffset_IsPlacedOnTheAoiGrid()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(100, 100, georeferenced: true));
        await h.DrainAsync();

        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(100, 100, georeferenced: true, originShiftX: 30));
        await h.DrainAsync();

        var after = (await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None)).Single(s => s.BaselineId is not null);
        Assert.Equal(new ScenePlacement(30, 0, 100, 100), after.Placement);
        Assert.Equal(2, h.ReportsReady.Count);
    }

    [Fact]
    public async Task Ingest_SidecarWithBounds_GeoreferencesAndDatesTheScene()
    {
        var h = new PipelineHarness();
        const string sidecar = """{"acquiredAt":"2026-04-30T10:15:00Z","sensor":"<b>x</b>","bounds":{"epsg":32636,"minX":0,"minY":0,"maxX":200,"maxY":100}}""";

        await h.UploadAsync(Aoi, "scene.tif", SyntheticTiffDecoder.Create(100, 50), sidecar);
        await h.DrainAsync();

        var scene = Assert.Single(await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None));
        Assert.Equal(new DateTimeOffset(2026, 4, 30, 10, 15, 0, TimeSpan.Zero), scene.Metadata.AcquiredAt);
        Assert.False(scene.AcquisitionTimeAssumed);
        Assert.Equal(2.0, scene.GeoReference!.Transform.PixelWidth);
        Assert.Equal(2.0, scene.Metadata.GroundSampleDistance);
    }

    [Fact]
    public async Task Ingest_WorldFileBesideTheImage_GeoreferencesTheSceneInTheSidecarsEpsg()
    {
        var h = new PipelineHarness();
        h.Blobs.Put(StorageNames.IncomingContainer, $"{Aoi}/scene.tfw", "2.0\n0.0\n0.0\n-2.0\n500001.0\n4000099.0\n"u8.ToArray());

        await h.UploadAsync(Aoi, "scene.tif", SyntheticTiffDecoder.Create(100, 50), """{"acquiredAt":"2026-04-30T10:15:00Z","epsg":32636}""");
        await h.DrainAsync();

        var scene = Assert.Single(await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None));
        Assert.Equal(new GeoReference(32636, new GeoTransform(500_000, 2, 0, 4_000_100, 0, -2)), scene.GeoReference);
        Assert.Empty(await h.Catalog.ListRejectionsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Ingest_WorldFileWithoutEpsgInTheSidecar_RejectsAsInvalidSidecar()
    {
        var h = new PipelineHarness();
        h.Blobs.Put(StorageNames.IncomingContainer, $"{Aoi}/scene.tfw", "2\n0\n0\n-2\n1\n99\n"u8.ToArray());

        await h.UploadAsync(Aoi, "scene.tif", SyntheticTiffDecoder.Create(100, 50), """{"acquiredAt":"2026-04-30T10:15:00Z"}""");
        await h.DrainAsync();

        Assert.Equal(RejectionCode.InvalidSidecar, Assert.Single(await h.Catalog.ListRejectionsAsync(CancellationToken.None)).Code);
    }

    [Fact]
    public async Task SceneUploaded_WorldFile_IsNotIngestedOnItsOwn()
    {
        var h = new PipelineHarness();

        await h.UploadAsync(Aoi, "scene.pgw", "1\n0\n0\n-1\n0\n0\n"u8.ToArray());
        await h.DrainAsync();

        Assert.Empty(await h.Catalog.ListRejectionsAsync(CancellationToken.None));
        Assert.Empty(await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None));
    }

    private const string FourBandManifest = """{"acquiredAt":"2026-04-30T10:15:00Z","sensor":"S2A","bands":["B02.tif","B03.tif","B04.tif","B08.tif"]}""";

    [Fact]
    public async Task Ingest_BandManifest_IngestsTheBandFilesAsOneMultiBandScene()
    {
        var h = new PipelineHarness();
        foreach (var band in new[] { "B02", "B03", "B04", "B08" })
        {
            h.Blobs.Put(StorageNames.IncomingContainer, $"{Aoi}/s2.bands/{band}.tif", SyntheticTiffDecoder.Create(100, 50, bands: 1, georeferenced: true));
            await h.Uploaded.HandleAsync(Aoi, $"s2.bands/{band}.tif", CancellationToken.None); // band files alone: skipped
        }

        await h.UploadAsync(Aoi, "s2.bands.json", System.Text.Encoding.UTF8.GetBytes(FourBandManifest));
        await h.DrainAsync();

        Assert.Empty(await h.Catalog.ListRejectionsAsync(CancellationToken.None));
        var scene = Assert.Single(await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None));
        Assert.Equal((100, 50, 4), (scene.Width, scene.Height, scene.BandCount));
        Assert.Equal("S2A", scene.Metadata.Sensor);
        Assert.Equal(32636, scene.GeoReference!.Epsg);
        h.Time.Advance(TimeSpan.FromSeconds(h.Options.Value.ReconcileMinAgeSeconds)); // old enough for the reconcile to look at it
        Assert.Equal(0, await h.Reconciler.ReconcileAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Ingest_BandManifestWithABandOfAnotherSize_RejectsAsBandMismatch()
    {
        var h = new PipelineHarness();
        foreach (var band in new[] { "B02", "B03", "B04", "B08" })
        {
            h.Blobs.Put(StorageNames.IncomingContainer, $"{Aoi}/s2.bands/{band}.tif", SyntheticTiffDecoder.Create(band == "B08" ? 50 : 100, 50, bands: 1));
        }

        await h.UploadAsync(Aoi, "s2.bands.json", System.Text.Encoding.UTF8.GetBytes(FourBandManifest));
        await h.DrainAsync();

        Assert.Equal(RejectionCode.BandMismatch, Assert.Single(await h.Catalog.ListRejectionsAsync(CancellationToken.None)).Code);
        Assert.Empty(await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None));
    }

    [Fact]
    public async Task Ingest_BandManifestListingAMissingFile_RejectsAsMissingSidecar()
    {
        var h = new PipelineHarness();
        h.Blobs.Put(StorageNames.IncomingContainer, $"{Aoi}/s2.bands/B02.tif", SyntheticTiffDecoder.Create(100, 50, bands: 1));

        await h.UploadAsync(Aoi, "s2.bands.json", System.Text.Encoding.UTF8.GetBytes(FourBandManifest));
        await h.DrainAsync();

        Assert.Equal(RejectionCode.MissingSidecar, Assert.Single(await h.Catalog.ListRejectionsAsync(CancellationToken.None)).Code);
    }

    [Theory]
    [InlineData("""{"acquiredAt":"2026-04-30T10:15:00Z"}""")]
    [InlineData("""{"acquiredAt":"2026-04-30T10:15:00Z","bands":[]}""")]
    [InlineData("""{"acquiredAt":"2026-04-30T10:15:00Z","bands":["../B02.tif"]}""")]
    [InlineData("""{"acquiredAt":"2026-04-30T10:15:00Z","bands":["B02.tif","B02.tif"]}""")]
    [InlineData("""{"bands":["B02.tif"]}""")]
    public async Task Ingest_InvalidBandManifest_RejectsAsInvalidSidecar(string manifest)
    {
        var h = new PipelineHarness();
        h.Blobs.Put(StorageNames.IncomingContainer, $"{Aoi}/s2.bands/B02.tif", SyntheticTiffDecoder.Create(100, 50, bands: 1));

        await h.UploadAsync(Aoi, "s2.bands.json", System.Text.Encoding.UTF8.GetBytes(manifest));
        await h.DrainAsync();

        Assert.Equal(RejectionCode.InvalidSidecar, Assert.Single(await h.Catalog.ListRejectionsAsync(CancellationToken.None)).Code);
    }

    [Fact]
    public async Task Ingest_InvalidMessage_IsQuarantinedAndRecorded()
    {
        var h = new PipelineHarness();

        await h.Ingest.HandleAsync("{not json", CancellationToken.None);

        var rejection = Assert.Single(await h.Catalog.ListRejectionsAsync(CancellationToken.None));
        Assert.Equal(RejectionCode.InvalidMessage, rejection.Code);
        Assert.Equal("{not json"u8.ToArray(), h.Blobs.Get(StorageNames.QuarantineContainer, rejection.QuarantineBlob!));
    }

    [Fact]
    public async Task Reconciler_UploadsWithoutSceneOrRejection_AreEnqueuedAgain()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "done.tif", SyntheticTiffDecoder.Create(64, 64));
        await h.UploadAsync(Aoi, "empty.tif", []);
        await h.DrainAsync();
        h.Blobs.Put(StorageNames.IncomingContainer, $"{Aoi}/missed.tif", SyntheticTiffDecoder.Create(64, 64, bands: 1));
        h.Blobs.Put(StorageNames.IncomingContainer, $"{Aoi}/missed.tif.json", "{}"u8.ToArray());
        h.Time.Advance(TimeSpan.FromSeconds(h.Options.Value.ReconcileMinAgeSeconds));

        var count = await h.Reconciler.ReconcileAsync(CancellationToken.None);

        Assert.Equal(1, count);
        var message = JsonSerializer.Deserialize<SceneIngestMessage>(Assert.Single(h.Queue.Peek(StorageNames.SceneIngestQueue)), PipelineJson.Options)!;
        Assert.Equal($"{Aoi}/missed.tif", message.BlobName);
    }

    [Fact]
    public async Task Report_RecordsCustodyOfEveryStep()
    {
        var h = new PipelineHarness();
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(64, 64));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(64, 64, change: (5, 5, 5)));
        await h.DrainAsync();

        var after = (await h.Catalog.ListScenesAsync(Aoi, CancellationToken.None)).Single(s => s.BaselineId is not null);
        var steps = (await h.Catalog.GetCustodyAsync(after.Id, CancellationToken.None)).Select(c => c.Step).ToArray();
        Assert.Equal(["received", "hashed", "ingested", "scored", "reported"], steps);
    }

    /// <summary>Uploads a baseline and a scene with one changed block, runs the pipeline, and returns the change report and the scene's tile results.</summary>
    [Fact]
    public async Task Pipeline_SceneNotAWholeNumberOfTiles_EdgeTilesAreJudgedOnTheirPartInside_AndRecordIt()
    {
        // 150 × 130 px on the 64 / 8 grid (56 px cores, windows 4 px up and left of them): the third column of windows
        // holds 42 of its 64 columns inside the scene, the third row 22 of 64 rows, the first column and row 60.
        var h = new PipelineHarness();

        var (model, results) = await BlockChangeAsync(h);

        Assert.Equal(9, results.Count);
        Assert.All(results, r => Assert.True(r.Assessable, $"{r.Tile}: masked {r.MaskedFraction}, covered {r.CoveredFraction}"));
        Assert.All(results, r => Assert.Equal(0, r.MaskedFraction));
        var corner = results.Single(r => r.Tile == new TileId(2, 2));
        Assert.Equal(42.0 * 22 / (64 * 64), corner.CoveredFraction!.Value, 9);
        Assert.Equal(42.0 * 60 / (64 * 64), results.Single(r => r.Tile == new TileId(0, 2)).CoveredFraction!.Value, 9);
        Assert.Equal(1.0, results.Single(r => r.Tile == new TileId(1, 1)).CoveredFraction!.Value, 9);
        Assert.Equal(new TileCounts(9, 9, 0, results.Count(r => r.Flagged)), model.Tiles);
        Assert.DoesNotContain(model.Caveats, c => c.Contains("not assessable", StringComparison.Ordinal));
    }

    private static async Task<(ReportModel Model, IReadOnlyList<TileResult> Results)> BlockChangeAsync(PipelineHarness h)
    {
        await h.UploadAsync(Aoi, "before.tif", SyntheticTiffDecoder.Create(150, 130));
        await h.DrainAsync();
        await h.UploadAsync(Aoi, "after.tif", SyntheticTiffDecoder.Create(150, 130, change: (70, 40, 20)));
        await h.DrainAsync();
        var model = h.Renderer.Rendered.Single(r => r.Model.Kind == ReportKinds.Change).Model;
        return (model, await h.Catalog.GetTileResultsAsync(SceneId.Parse(model.Scene.SceneId), CancellationToken.None));
    }
}
