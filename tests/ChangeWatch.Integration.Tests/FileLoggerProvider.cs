using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ChangeWatch.Integration.Tests;

/// <summary>Writes every log line of the hosts under test to one file, so a failing end-to-end test can be diagnosed.</summary>
public sealed class FileLoggerProvider(string path) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly object _gate = new();

    public string Path { get; } = path;

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Flush()
    {
        lock (_gate)
        {
            using var writer = File.AppendText(Path);
            while (_lines.TryDequeue(out var line))
            {
                writer.WriteLine(line);
            }
        }
    }

    public void Dispose() => Flush();

    private sealed class FileLogger(FileLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            owner._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : Environment.NewLine + exception)}");
            if (owner._lines.Count > 200)
            {
                owner.Flush();
            }
        }
    }
}
