using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace ChangeWatch.Cli;

/// <summary>
/// Starts the Azurite storage emulator pinned in the repository's <c>package.json</c> (installing it with <c>npm install</c>
/// when <c>node_modules</c> lacks it) on free loopback ports, in memory, and stops it on dispose. Used by the demo and the
/// integration tests; nothing is written to disk and nothing outlives the process.
/// </summary>
public sealed class AzuriteEmulator : IAsyncDisposable
{
    // Each run gets its own account and a random key (passed to Azurite in AZURITE_ACCOUNTS), so no key lives in the repository.
    private const string Account = "changewatch";

    private readonly Process _process;
    private readonly string _key;

    private AzuriteEmulator(Process process, string key, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _key = key;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    /// <summary>Blob service port.</summary>
    public int BlobPort { get; }

    /// <summary>Queue service port.</summary>
    public int QueuePort { get; }

    /// <summary>Table service port.</summary>
    public int TablePort { get; }

    /// <summary>A connection string for this instance's three services (holds this run's random key: never log it).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={_key};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{Account};QueueEndpoint=http://127.0.0.1:{QueuePort}/{Account};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{Account};";

    /// <summary>
    /// Finds the repository (the folder whose <c>package.json</c> pins azurite, searched upwards from
    /// <paramref name="startDirectory"/> and from the app's base directory), installs Azurite if needed, starts it and waits
    /// until all three services accept connections (at most <paramref name="timeout"/>).
    /// </summary>
    public static async Task<AzuriteEmulator> StartAsync(string? startDirectory, TimeSpan timeout, Action<string>? log, CancellationToken cancellationToken)
    {
        var root = FindPackageRoot(startDirectory ?? Directory.GetCurrentDirectory()) ?? FindPackageRoot(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("Cannot find the ChangeWatch package.json (with azurite) above the current directory; run from the repository.");
        var entry = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(entry))
        {
            log?.Invoke("Installing Azurite (npm install, pinned in package.json)...");
            await RunAsync("npm", $"install --no-audit --no-fund --loglevel=error", root, cancellationToken).ConfigureAwait(false);
            if (!File.Exists(entry))
            {
                throw new InvalidOperationException($"npm install finished but {entry} is missing.");
            }
        }

        var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["AZURITE_ACCOUNTS"] = $"{Account}:{key}" },
        };
        foreach (var arg in new[]
                 {
                     entry, "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--disableProductStyleUrl",
                     "--blobHost", "127.0.0.1", "--blobPort", $"{blob}", "--queueHost", "127.0.0.1", "--queuePort", $"{queue}",
                     "--tableHost", "127.0.0.1", "--tablePort", $"{table}",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (!string.IsNullOrWhiteSpace(e.Data)) { log?.Invoke("azurite: " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var emulator = new AzuriteEmulator(process, key, blob, queue, table);
        try
        {
            var deadline = DateTime.UtcNow + timeout;
            foreach (var port in new[] { blob, queue, table })
            {
                while (!await AcceptsAsync(port, cancellationToken).ConfigureAwait(false))
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} while starting.");
                    }

                    if (DateTime.UtcNow > deadline)
                    {
                        throw new TimeoutException($"Azurite did not open port {port} within {timeout.TotalSeconds:F0} s.");
                    }

                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                }
            }

            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops Azurite (and its child processes).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        catch (TimeoutException)
        {
            // it will die with us
        }

        _process.Dispose();
    }

    /// <summary>The folder above <paramref name="start"/> whose package.json lists azurite, or null.</summary>
    public static string? FindPackageRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var package = Path.Combine(dir.FullName, "package.json");
            if (File.Exists(package) && ListsAzurite(package))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static bool ListsAzurite(string packageJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(packageJson));
            return doc.RootElement.TryGetProperty("devDependencies", out var deps) && deps.TryGetProperty("azurite", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string file, string arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = workingDirectory, UseShellExecute = false })
            ?? throw new InvalidOperationException($"Could not start {file}.");
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {arguments}' failed with exit code {process.ExitCode}.");
        }
    }
}
