using System.CommandLine;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.LocalHost;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChangeWatch.Cli.Commands;

/// <summary><c>changewatch run [--with-azurite]</c>: the local host, until Ctrl+C.</summary>
public static class RunCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var withAzurite = new Option<bool>("--with-azurite")
        {
            Description = "Start a private in-memory Azurite for this run (installed from package.json if needed) instead of using the configured storage.",
        };
        var command = new Command("run", "Run the local host: the four pipeline functions on the WebJobs SDK, polling the configured storage (Azurite by default).")
        {
            withAzurite,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            AzuriteEmulator? azurite = null;
            try
            {
                Dictionary<string, string?>? overrides = null;
                if (parse.GetValue(withAzurite))
                {
                    azurite = await AzuriteEmulator.StartAsync(null, TimeSpan.FromSeconds(60), Console.Error.WriteLine, cancellationToken);
                    overrides = new() { [StorageNames.Connection] = azurite.ConnectionString, ["AzureWebJobsStorage"] = azurite.ConnectionString };
                    Console.WriteLine($"Azurite: blob 127.0.0.1:{azurite.BlobPort}, queue :{azurite.QueuePort}, table :{azurite.TablePort} (in memory)");
                }

                using var host = LocalHostBuilder.Create(CliConfiguration.Build(overrides)).Build();
                await host.RunAsync(cancellationToken);
                return 0;
            }
            catch (OptionsValidationException ex)
            {
                Console.Error.WriteLine($"Invalid settings: {ex.Message}");
                return 1;
            }
            finally
            {
                if (azurite is not null)
                {
                    await azurite.DisposeAsync();
                }
            }
        });
        return command;
    }
}
