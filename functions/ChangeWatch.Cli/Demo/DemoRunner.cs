using System.Diagnostics;
using System.Globalization;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Reporting;
using ChangeWatch.LocalHost;
using ChangeWatch.Reporting.Json;
using ChangeWatch.Synthetic;
using Microsoft.Extensions.Hosting;

namespace ChangeWatch.Cli.Demo;

/// <summary>
/// The end-to-end demo: a private Azurite, the local host, a synthetic before/after pair of an area where vehicles and
/// equipment gather, both uploaded, the report waited for, downloaded and summarised; then a third scene of the same area,
/// where one gathering has grown, whose report shows that site again under the same track id with its history;
/// everything it started is stopped.
/// </summary>
public sealed class DemoRunner(TextWriter output)
{
    /// <summary>AOI the demo uses.</summary>
    public const string Aoi = "demo-area";

    /// <summary>
    /// Runs the demo; returns 0 when a report was written, its sites cover every placed build-up, and the third scene's
    /// report shows the grown site under the track id it had in the second scene's report.
    /// </summary>
    public async Task<int> RunAsync(string outputFolder, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        output.WriteLine("ChangeWatch demo: synthetic area, vehicles and equipment gathering between two dates.");
        output.WriteLine("1/5 starting Azurite (in memory, private ports)...");
        await using var azurite = await AzuriteEmulator.StartAsync(null, TimeSpan.FromSeconds(90), output.WriteLine, cancellationToken);
        var configuration = CliConfiguration.Build(new Dictionary<string, string?>
        {
            [StorageNames.Connection] = azurite.ConnectionString,
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            [LocalHostBuilder.HostIdSetting] = "changewatch-demo",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:ChangeWatch"] = "Warning",
        });

        output.WriteLine("2/5 starting the local host (WebJobs SDK: blob trigger on incoming, queue triggers)...");
        using var host = LocalHostBuilder.Create(configuration).Build();
        await host.StartAsync(cancellationToken);
        try
        {
            output.WriteLine("3/5 generating the synthetic before/after pair (1024 x 1024 px, 0.5 m, UTM 36N) and a later scene...");
            var pair = DemoScenario.Render();
            var inputs = Path.Combine(outputFolder, "inputs");
            var (beforeFiles, afterFiles) = DemoImagery.Write(pair, inputs);
            var laterFiles = DemoImagery.WriteLater(DemoScenario.RenderLater(pair), inputs);

            var storage = new StorageSession(configuration);
            var uploader = new Uploader(storage.Blobs);
            var watcher = new PipelineWatcher(storage.Catalog);
            output.WriteLine("4/5 uploading and processing...");
            var before = await uploader.UploadAsync(beforeFiles.Image, Aoi, beforeFiles.Sidecar, cancellationToken);
            output.WriteLine($"    uploaded incoming/{before.BlobName} (scene {before.SceneId})");
            using (var progress = new ConsoleProgress("    baseline"))
            {
                await watcher.WaitAsync(before, SceneStatus.Reported, timeout, progress, cancellationToken);
            }

            output.WriteLine("    baseline registered");
            var endToEnd = Stopwatch.StartNew();
            var after = await uploader.UploadAsync(afterFiles.Image, Aoi, afterFiles.Sidecar, cancellationToken);
            output.WriteLine($"    uploaded incoming/{after.BlobName} (scene {after.SceneId})");
            SceneRecord scene;
            using (var progress = new ConsoleProgress("    new scene"))
            {
                scene = await watcher.WaitAsync(after, SceneStatus.Reported, timeout, progress, cancellationToken);
            }

            endToEnd.Stop();
            var later = await uploader.UploadAsync(laterFiles.Image, Aoi, laterFiles.Sidecar, cancellationToken);
            output.WriteLine($"    uploaded incoming/{later.BlobName} (scene {later.SceneId}, two weeks later)");
            SceneRecord laterScene;
            using (var progress = new ConsoleProgress("    later scene"))
            {
                laterScene = await watcher.WaitAsync(later, SceneStatus.Reported, timeout, progress, cancellationToken);
            }

            output.WriteLine("5/5 downloading the reports...");
            var reportFolder = Path.Combine(outputFolder, "report");
            var laterFolder = Path.Combine(outputFolder, "report-later");
            var report = await DownloadAsync(storage, scene, reportFolder, cancellationToken);
            var laterReport = await DownloadAsync(storage, laterScene, laterFolder, cancellationToken);
            var status = Summarise(report, pair, reportFolder, endToEnd.Elapsed);
            var laterTiles = await storage.Catalog.GetTileResultsAsync(laterScene.Id, cancellationToken);
            var tracked = SummariseTracks(report, laterReport, laterTiles, laterFolder);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Whole demo {total.Elapsed.TotalSeconds:F1} s."));
            return status != 0 ? status : tracked;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private int Summarise(ReportModel report, SyntheticPair pair, string reportFolder, TimeSpan endToEnd)
    {
        output.WriteLine();
        output.WriteLine($"Report: {report.Kind}, status {report.Status}; {report.Tiles.Total} tiles, {report.Tiles.Flagged} flagged; model {report.ModelVersion}");
        output.WriteLine($"Sites ({report.Sites.Count}):");
        foreach (var site in report.Sites)
        {
            var where = site.Latitude is { } lat && site.Longitude is { } lon
                ? string.Create(CultureInfo.InvariantCulture, $"{lat:F5}, {lon:F5}")
                : "not georeferenced";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {site.Id,-4} {site.Probability,6:P0}  {site.Assessment}; at {where}; {site.AreaSquareMetres ?? 0:F0} m2 changed; {Objects(site.Objects)}; track {site.TrackId}; tiles {string.Join(' ', site.Tiles)}"));
        }

        var buildUps = pair.Changes.Where(c => c.Kind is ChangeKind.ObjectBuildUp or ChangeKind.Earthworks).ToList();
        var covered = buildUps.Count(c => report.Sites.Any(s => !s.SceneBounds.Intersect(c.Bounds).IsEmpty));
        output.WriteLine($"Ground truth: {covered} of {buildUps.Count} placed build-ups and earthworks overlap a reported site.");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"End-to-end time (upload of the new scene to its report): {endToEnd.TotalSeconds:F1} s."));
        output.WriteLine($"Open the report: {Path.GetFullPath(Path.Combine(reportFolder, ReportPaths.Html))}");
        if (report.Sites.Count == 0 || covered < buildUps.Count)
        {
            output.WriteLine("The demo expected every placed build-up to be covered by a site; it was not.");
            return 2;
        }

        return 0;
    }

    // Tells a detection miss (no site at all where the earlier sites were) from a tracking miss (flagged, but as a new track).
    private static string WhyNotSeenAgain(ReportModel earlier, ReportModel later, IReadOnlyList<TileResult> laterTiles)
    {
        if (later.Sites.Count > 0)
        {
            return $"  Model {later.ModelVersion} flagged {later.Sites.Count} site(s) in the later scene, but none continues an earlier track: "
                + "each was reported as a new track (a tracking miss, not a detection miss).";
        }

        var earlierTiles = earlier.Sites.SelectMany(s => s.Tiles).ToHashSet(StringComparer.Ordinal);
        var over = laterTiles.Where(t => earlierTiles.Contains(t.Tile.ToString())).ToList();
        var top = over.Where(t => t.Assessable).OrderByDescending(t => t.Probability).FirstOrDefault();
        var highest = top is null
            ? "none of them was assessable"
            : string.Create(CultureInfo.InvariantCulture, $"the highest probability there was {top.Probability:P0} (tile {top.Tile})");
        return string.Create(CultureInfo.InvariantCulture,
            $"  Model {later.ModelVersion} flagged {later.Tiles.Flagged} of {later.Tiles.Assessable} assessable tiles of the later scene (threshold {(later.ModelThresholdAdaptive is true ? "per tile, at least " : string.Empty)}{later.ModelThreshold:0.###}); over the {over.Count} tiles of the earlier sites {highest}. ")
            + "The vehicles added to the gathering were not detected by this model, so there was no site to track: a detection miss, not a tracking failure.";
    }

    private static string Objects(ObjectCounts? counts) =>
        counts is { } c ? string.Create(CultureInfo.InvariantCulture, $"objects {c.Before} -> {c.After}") : "objects not measured";

    // The later scene's sites that continue a track of the earlier report: "seen again", with the id the analyst knows.
    private int SummariseTracks(ReportModel earlier, ReportModel later, IReadOnlyList<TileResult> laterTiles, string laterFolder)
    {
        output.WriteLine();
        output.WriteLine($"Later scene: {later.Sites.Count} site(s) flagged against the previous scene.");
        var earlierTracks = earlier.Sites.Where(s => s.TrackId is not null).ToDictionary(s => s.TrackId!, StringComparer.Ordinal);
        var seenAgain = 0;
        foreach (var site in later.Sites)
        {
            if (site.TrackId is { } trackId && earlierTracks.TryGetValue(trackId, out var before))
            {
                seenAgain++;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {site.Id,-4} seen again: track {trackId} (was {before.Id}, first flagged {site.FirstSeen?.AcquiredAt.UtcDateTime:yyyy-MM-dd}); history {string.Join(", ", site.History.Select(h => $"{h.AcquiredAt.UtcDateTime:MM-dd} {h.Outcome} ({Objects(h.Objects)})"))}"));
            }
            else
            {
                output.WriteLine($"  {site.Id,-4} new: track {site.TrackId}");
            }
        }

        output.WriteLine($"Open the later report: {Path.GetFullPath(Path.Combine(laterFolder, ReportPaths.Html))}");
        if (seenAgain == 0)
        {
            output.WriteLine("The demo expected the grown gathering to be reported again under its earlier track id; it was not.");
            output.WriteLine(WhyNotSeenAgain(earlier, later, laterTiles));
            return 3;
        }

        return 0;
    }

    private static async Task<ReportModel> DownloadAsync(StorageSession storage, SceneRecord scene, string folder, CancellationToken cancellationToken)
    {
        await DownloadAsync(storage, $"{scene.Aoi}/{scene.Id}/", folder, cancellationToken);
        return ReportJson.Deserialize(await File.ReadAllBytesAsync(Path.Combine(folder, ReportPaths.Json), cancellationToken))
            ?? throw new InvalidOperationException("report.json is empty.");
    }

    private static async Task DownloadAsync(StorageSession storage, string prefix, string folder, CancellationToken cancellationToken)
    {
        await foreach (var blob in storage.Blobs.ListAsync(StorageNames.ReportsContainer, prefix, cancellationToken))
        {
            var relative = blob.Name[prefix.Length..];
            if (!BlobPath.IsSafeFileName(Path.GetFileName(relative)) || relative.Contains("..", StringComparison.Ordinal))
            {
                continue; // blob names are never trusted as paths
            }

            var target = Path.GetFullPath(Path.Combine(folder, relative));
            if (!target.StartsWith(Path.GetFullPath(folder), StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var stream = await storage.Blobs.OpenReadAsync(StorageNames.ReportsContainer, blob.Name, cancellationToken);
            if (stream is null)
            {
                continue;
            }

            await using (stream)
            await using (var file = File.Create(target))
            {
                await stream.CopyToAsync(file, cancellationToken);
            }
        }
    }
}
