using System.CommandLine;
using System.Text;
using ChangeWatch.Reporting.Review;

namespace ChangeWatch.Cli.Commands;

/// <summary><c>changewatch export-reviews --out FILE</c>: every verdict as a labelled training example, one JSON object a line.</summary>
public static class ExportReviewsCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var output = new Option<FileInfo>("--out")
        {
            Description = "JSON lines file to write (replaced): scene, baseline, site, tiles, bounds, verdict, label, analyst, time, model version.",
            Required = true,
        };
        var command = new Command("export-reviews", "Write analysts' verdicts as labelled training examples (JSON lines) for ml-models/.") { output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetRequiredValue(output);
            var count = await ExportAsync(new StorageSession(CliConfiguration.Build()), file.FullName, cancellationToken);
            Console.WriteLine($"{count} labelled example(s) -> {file.FullName}");
            return 0;
        });
        return command;
    }

    /// <summary>Writes every verdict in <paramref name="storage"/> to <paramref name="path"/> (replaced); returns how many.</summary>
    internal static async Task<int> ExportAsync(StorageSession storage, string path, CancellationToken cancellationToken)
    {
        var reviews = await storage.Catalog.ListReviewsAsync(cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        foreach (var review in reviews)
        {
            await writer.WriteLineAsync(TrainingExample.From(review).ToJsonLine().AsMemory(), cancellationToken);
        }

        return reviews.Count;
    }
}
