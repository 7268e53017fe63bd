using System.CommandLine;
using ChangeWatch.Core.Domain;

namespace ChangeWatch.Cli.Commands;

/// <summary><c>changewatch upload &lt;file&gt; --aoi A [--sidecar S] [--wait]</c>.</summary>
public static class UploadCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "Scene file: GeoTIFF, or PNG/JPEG/BMP with a sidecar." };
        var aoi = new Option<string>("--aoi") { Description = "Area of interest (letters, digits, '-', '_').", Required = true };
        var sidecar = new Option<FileInfo?>("--sidecar")
        {
            Description = "Sidecar JSON (acquiredAt, provider, sensor, groundSampleDistance, bounds). Default: <file>.json beside the file, if any.",
        };
        var wait = new Option<bool>("--wait") { Description = "Wait until the scene's report is written, showing progress." };
        var command = new Command("upload", "Upload a scene to incoming/{aoi}/{file} and print its receipt (SHA-256 and scene id).")
        {
            file, aoi, sidecar, wait,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var input = parse.GetRequiredValue(file);
            if (!input.Exists)
            {
                Console.Error.WriteLine($"No such file: {input.FullName}");
                return 1;
            }

            var storage = new StorageSession(CliConfiguration.Build());
            UploadReceipt receipt;
            try
            {
                receipt = await new Uploader(storage.Blobs).UploadAsync(input.FullName, parse.GetRequiredValue(aoi), parse.GetValue(sidecar)?.FullName, cancellationToken);
            }
            catch (RejectedInputException ex)
            {
                Console.Error.WriteLine($"{ex.Code}: {ex.Message}");
                return 1;
            }

            Console.WriteLine($"uploaded  incoming/{receipt.BlobName} ({receipt.Length} bytes){(receipt.Sidecar is null ? string.Empty : $" with sidecar incoming/{receipt.Sidecar}")}");
            Console.WriteLine($"sha256    {receipt.Sha256}");
            Console.WriteLine($"scene id  {receipt.SceneId}");
            if (!parse.GetValue(wait))
            {
                return 0;
            }

            try
            {
                using var progress = new ConsoleProgress(receipt.SceneId.Value);
                var scene = await new PipelineWatcher(storage.Catalog).WaitAsync(receipt, SceneStatus.Reported, TimeSpan.FromMinutes(30), progress, cancellationToken);
                Console.WriteLine($"report    reports/{scene.Aoi}/{scene.Id}/report.html");
                return 0;
            }
            catch (UploadRejectedException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }
        });
        return command;
    }
}
