using System.CommandLine;
using ChangeWatch.Cli.Demo;

namespace ChangeWatch.Cli.Commands;

/// <summary><c>changewatch demo [--out DIR] [--timeout SECONDS]</c>.</summary>
public static class DemoCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Folder for the generated inputs and the downloaded report.",
            DefaultValueFactory = _ => new DirectoryInfo("demo-output"),
        };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for each scene.", DefaultValueFactory = _ => 600 };
        var command = new Command("demo",
            "Run the pipeline end to end on a private Azurite: a synthetic before/after pair where vehicles and equipment gather, uploaded, processed, and its report downloaded and summarised.")
        {
            output, timeout,
        };
        command.SetAction((parse, cancellationToken) =>
            new DemoRunner(Console.Out).RunAsync(parse.GetRequiredValue(output).FullName, TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken));
        return command;
    }
}
