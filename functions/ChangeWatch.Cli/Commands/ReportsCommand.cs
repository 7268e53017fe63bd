using System.CommandLine;
using System.Globalization;
using ChangeWatch.Core.Domain;
using ChangeWatch.Reporting.Review;

namespace ChangeWatch.Cli.Commands;

/// <summary><c>changewatch reports [--aoi A] [--status S]</c>: the written reports with their status and sites.</summary>
public static class ReportsCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var aoi = new Option<string?>("--aoi") { Description = "Only this area of interest." };
        var status = new Option<string?>("--status") { Description = "Only reports with this status: candidate, partially-reviewed, reviewed." };
        var command = new Command("reports", "List reports: AOI, scene, acquisition time, kind, status, sites, highest probability, path.")
        {
            aoi, status,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var storage = new StorageSession(CliConfiguration.Build());
            var reviewer = new ReportReviewer(storage.Blobs, storage.Catalog, storage.Queues, TimeProvider.System);
            var scenes = await storage.Catalog.ListScenesAsync(parse.GetValue(aoi), cancellationToken);
            var wanted = parse.GetValue(status);
            Console.WriteLine($"{"aoi",-20} {"scene",-16} {"acquired (UTC)",-17} {"kind",-19} {"status",-18} {"sites",5} {"max p",6}  report");
            var shown = 0;
            foreach (var scene in scenes.Where(s => s.Status == SceneStatus.Reported).OrderBy(s => s.Aoi, StringComparer.Ordinal).ThenBy(s => s.Metadata.AcquiredAt))
            {
                var report = await reviewer.ReadAsync(scene, cancellationToken);
                if (report is null || (wanted is not null && !string.Equals(report.Status, wanted, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                var max = report.Sites.Count == 0 ? "-" : report.Sites.Max(s => s.Probability).ToString("0.00", CultureInfo.InvariantCulture);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{scene.Aoi,-20} {scene.Id,-16} {scene.Metadata.AcquiredAt.UtcDateTime,-17:yyyy-MM-dd HH:mm} {report.Kind,-19} {report.Status,-18} {report.Sites.Count,5} {max,6}  reports/{scene.Aoi}/{scene.Id}/report.html"));
                shown++;
            }

            Console.WriteLine($"{shown} report(s)");
            return 0;
        });
        return command;
    }
}
