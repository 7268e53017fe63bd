namespace ChangeWatch.Cli;

/// <summary>
/// Shows progress on one console line that is rewritten in place on a terminal, or as a new line on each change when
/// the output is redirected (CI logs), with the elapsed time.
/// </summary>
public sealed class ConsoleProgress(string label) : IProgress<string>, IDisposable
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private string? _last;
    private int _width;

    /// <inheritdoc />
    public void Report(string value)
    {
        var line = $"{label}: {value} ({_clock.Elapsed.TotalSeconds:F0} s)";
        if (Console.IsOutputRedirected)
        {
            if (value != _last)
            {
                Console.WriteLine(line);
            }
        }
        else
        {
            Console.Write("\r" + line.PadRight(_width));
            _width = Math.Max(_width, line.Length);
        }

        _last = value;
    }

    /// <summary>Ends the in-place line.</summary>
    public void Dispose()
    {
        if (!Console.IsOutputRedirected && _width > 0)
        {
            Console.Write("\r" + new string(' ', _width) + "\r");
        }
    }
}
