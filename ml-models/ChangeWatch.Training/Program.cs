using System.Globalization;
using ChangeWatch.Training.Modelling;

namespace ChangeWatch.Training;

/// <summary>Command line: <c>train --out DIR [--seed N] [--pairs N] [--version V] [--trees N] [--leaves N]</c>.</summary>
internal static class Program
{
    private const string Usage =
        "usage: ChangeWatch.Training train --out <dir> [--seed 1] [--pairs 2400] [--version <name of dir>] [--trees 100] [--leaves 15] [--min-precision 0.9]";

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var options = ParseOptions(args.AsSpan(1));
            switch (args[0])
            {
                case "train":
                    var output = Require(options, "out");
                    var version = options.GetValueOrDefault("version") ?? Path.GetFileName(Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar));
                    return TrainCommand.Run(
                        new TrainOptions(
                            output,
                            ulong.Parse(options.GetValueOrDefault("seed") ?? "1", CultureInfo.InvariantCulture),
                            int.Parse(options.GetValueOrDefault("pairs") ?? "2400", CultureInfo.InvariantCulture),
                            version,
                            new TreeSettings(
                                int.Parse(options.GetValueOrDefault("trees") ?? "100", CultureInfo.InvariantCulture),
                                int.Parse(options.GetValueOrDefault("leaves") ?? "15", CultureInfo.InvariantCulture)),
                            double.Parse(options.GetValueOrDefault("min-precision") ?? "0.9", CultureInfo.InvariantCulture)),
                        Console.Out);
                default:
                    Console.Error.WriteLine($"unknown verb '{args[0]}'");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    private static Dictionary<string, string> ParseOptions(ReadOnlySpan<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new FormatException($"expected --name value, got '{args[i]}'");
            }

            options[args[i][2..]] = args[++i];
        }

        return options;
    }

    private static string Require(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : throw new FormatException($"--{name} is required");
}
