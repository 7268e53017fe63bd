using System.CommandLine;
using System.Globalization;
using ChangeWatch.Core.Pipeline;

namespace ChangeWatch.Cli.Commands;

/// <summary><c>changewatch status [--aoi A]</c>: scenes, tiles done, reports, rejections, queue and poison counts.</summary>
public static class StatusCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var aoi = new Option<string?>("--aoi") { Description = "Only this area of interest." };
        var command = new Command("status", "Show scenes (with tiles scored), reports, rejections, and queue and poison-queue lengths.") { aoi };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var storage = new StorageSession(CliConfiguration.Build());
            var scenes = await storage.Catalog.ListScenesAsync(parse.GetValue(aoi), cancellationToken);
            Console.WriteLine($"Scenes ({scenes.Count})");
            Console.WriteLine($"  {"aoi",-20} {"scene",-16} {"acquired (UTC)",-17} {"status",-10} {"tiles scored",-13} {"baseline",-16}");
            foreach (var scene in scenes.OrderBy(s => s.Aoi, StringComparer.Ordinal).ThenBy(s => s.Metadata.AcquiredAt))
            {
                var scored = scene.BaselineId is null ? "-" : $"{(await storage.Catalog.GetTileResultsAsync(scene.Id, cancellationToken)).Count}/{scene.TileCount}";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {scene.Aoi,-20} {scene.Id,-16} {scene.Metadata.AcquiredAt.UtcDateTime,-17:yyyy-MM-dd HH:mm} {scene.Status,-10} {scored,-13} {scene.BaselineId?.Value ?? "(first scene)",-16}"));
            }

            Console.WriteLine();
            Console.WriteLine("Reports");
            foreach (var scene in scenes.Where(s => s.Status == Core.Domain.SceneStatus.Reported))
            {
                Console.WriteLine($"  reports/{scene.Aoi}/{scene.Id}/report.html");
            }

            var rejections = await storage.Catalog.ListRejectionsAsync(cancellationToken);
            Console.WriteLine();
            Console.WriteLine($"Rejections ({rejections.Count})");
            foreach (var r in rejections)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {r.RejectedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} {r.Code,-18} {r.Stage,-14} {r.Source} -> quarantine/{r.QuarantineBlob}"));
            }

            Console.WriteLine();
            Console.WriteLine("Queues (approximate messages waiting / poison)");
            foreach (var queue in StorageNames.Queues)
            {
                var waiting = await storage.Queues.GetApproximateCountAsync(queue, cancellationToken);
                var poison = await storage.Queues.GetApproximateCountAsync(StorageNames.PoisonQueue(queue), cancellationToken);
                Console.WriteLine($"  {queue,-14} {waiting,6} / {poison}");
            }

            return 0;
        });
        return command;
    }
}
