using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Reporting;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ChangeWatch.Reporting.Tests;

/// <summary>
/// report.html of a real pair (SZTAKI Szada/1 from ../shared/data) opened in headless Chromium (Debian <c>chromium</c>):
/// the page renders (screenshot not blank), makes no network request (Chromium's net log, with a control page that does
/// make one), and a sensor name holding <c>&lt;script&gt;</c> and <c>"</c> is text in the DOM, not markup.
/// Skips when /usr/bin/chromium or the data is absent.
/// </summary>
public sealed partial class BrowserRenderingTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private const string HostileSensor = "<script>alert(\"x\")</script> \"quoted\" sensor";

    // Requests Chromium makes for itself (updates, time, accounts, dictionaries) even headless; nothing a page asked for.
    private static readonly string[] BrowserOwnHosts = ["google.com", "googleapis.com", "gvt1.com", "gstatic.com"];

    private readonly string _temp = Directory.CreateTempSubdirectory("changewatch-browser-").FullName;

    [GeneratedRegex("""\ssrc="([^"]*)""")]
    private static partial Regex Sources();

    [Fact]
    public async Task Chromium_RealPairReport_RendersWithoutRequestsAndShowsHostileSensorAsText()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Skip($"{Chromium} not found: install Debian's chromium (apt-get install -y chromium) to run the real-browser test.");
        }

        var folder = Path.GetFullPath(Path.Combine(RepoFiles.Root(), "..", "shared", "data", "sztaki", "Szada", "1"));
        if (!Directory.Exists(folder))
        {
            Assert.Skip($"Real data not found at {folder}: this test needs ../shared/data beside the repository.");
        }

        var page = WriteReport(folder);
        var screenshot = Path.Combine(_temp, "page.png");
        var netLog = Path.Combine(_temp, "net.json");

        await RunChromiumAsync($"--screenshot={screenshot}", $"--log-net-log={netLog}", "--window-size=1280,2000", new Uri(page).AbsoluteUri);
        var dom = await RunChromiumAsync("--dump-dom", new Uri(page).AbsoluteUri);

        Assert.True(LuminanceStandardDeviation(screenshot) > 20, "The screenshot is (nearly) blank.");
        Assert.Empty(PageRequests(netLog));
        Assert.Contains("&lt;script&gt;alert(\"x\")&lt;/script&gt; \"quoted\" sensor", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", dom, StringComparison.OrdinalIgnoreCase);
        var sources = Sources().Matches(dom).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(3, sources.Count); // overview, before and after chip
        Assert.All(sources, s => Assert.StartsWith("data:image/png;base64,", s, StringComparison.Ordinal));

        // Control: the same net-log check does see a page's own request.
        var control = Path.Combine(_temp, "control.html");
        await File.WriteAllTextAsync(control, "<html><body><img src=\"http://changewatch-control.invalid/x.png\"></body></html>", TestContext.Current.CancellationToken);
        var controlLog = Path.Combine(_temp, "control-net.json");
        await RunChromiumAsync($"--log-net-log={controlLog}", "--dump-dom", new Uri(control).AbsoluteUri);
        Assert.Contains(PageRequests(controlLog), u => u.Contains("changewatch-control.invalid", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string WriteReport(string folder)
    {
        var before = Load(Path.Combine(folder, "im1.bmp"));
        var after = Load(Path.Combine(folder, "im2.bmp"));
        var truth = Load(Path.Combine(folder, "gt.bmp"));
        var box = ChangedBox(truth);
        var chip = new PixelWindow(Math.Max(0, box.X - 16), Math.Max(0, box.Y - 16), 0, 0);
        chip = chip with
        {
            Width = Math.Min(after.Width - chip.X, box.Width + 32),
            Height = Math.Min(after.Height - chip.Y, box.Height + 32),
        };
        var mask = new byte[chip.Width * chip.Height];
        for (var y = 0; y < chip.Height; y++)
        {
            for (var x = 0; x < chip.Width; x++)
            {
                mask[y * chip.Width + x] = truth.Row(0, chip.Y + y)[chip.X + x] > 127 ? (byte)1 : (byte)0;
            }
        }

        var scene = Some.Scene(provider: "SZTAKI AirChange (Szada/1)", sensor: HostileSensor, blob: "szada-1/im2.bmp") with
        {
            Width = after.Width,
            Height = after.Height,
            Epsg = null,
            GroundSampleDistance = 1.5,
        };
        var site = Some.Site("S1", box, lat: null, lon: null) with { Tiles = ["0_0"] };
        var report = Some.ChangeReport(scene, site) with { OverviewScale = 1 };
        var imagery = new ReportImagery(after, 1, new Dictionary<string, SiteChips>
        {
            ["S1"] = new(before.Crop(chip), after.Crop(chip), mask),
        });

        foreach (var file in new ReportRenderer().Render(report, imagery))
        {
            var path = Path.Combine(_temp, file.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Content.ToArray());
        }

        return Path.Combine(_temp, ReportPaths.Html);
    }

    private async Task<string> RunChromiumAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={Path.Combine(_temp, "profile-" + Guid.NewGuid().ToString("N"))}",
                 }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("Chromium did not finish in 60 s: " + await errors);
        }

        Assert.True(process.ExitCode == 0, $"Chromium exited with {process.ExitCode}: {await errors}");
        return await output;
    }

    // URLs in the net log other than Chromium's own service requests.
    private static List<string> PageRequests(string netLog)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(netLog));
        var urls = new List<string>();
        foreach (var e in document.RootElement.GetProperty("events").EnumerateArray())
        {
            if (e.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("url", out var url)
                && Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "ws" or "wss"
                && !BrowserOwnHosts.Any(h => uri.Host == h || uri.Host.EndsWith("." + h, StringComparison.Ordinal)))
            {
                urls.Add(uri.AbsoluteUri);
            }
        }

        return urls;
    }

    private static double LuminanceStandardDeviation(string png)
    {
        using var image = Image.Load<Rgb24>(png);
        double sum = 0, sumSquares = 0;
        long n = 0;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (var p in rows.GetRowSpan(y))
                {
                    var l = 0.299 * p.R + 0.587 * p.G + 0.114 * p.B;
                    sum += l;
                    sumSquares += l * l;
                    n++;
                }
            }
        });
        var mean = sum / n;
        return Math.Sqrt(Math.Max(0, sumSquares / n - mean * mean));
    }

    private static TileRaster Load(string path)
    {
        var file = Directory.GetFiles(Path.GetDirectoryName(path)!)
            .First(f => string.Equals(Path.GetFileName(f), Path.GetFileName(path), StringComparison.OrdinalIgnoreCase));
        using var image = Image.Load<Rgb24>(file);
        var raster = new TileRaster(image.Width, image.Height, 3);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                Span<float> r = raster.Row(0, y), g = raster.Row(1, y), b = raster.Row(2, y);
                for (var x = 0; x < row.Length; x++)
                {
                    r[x] = row[x].R;
                    g[x] = row[x].G;
                    b[x] = row[x].B;
                }
            }
        });
        return raster;
    }

    private static PixelWindow ChangedBox(TileRaster truth)
    {
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
        for (var y = 0; y < truth.Height; y++)
        {
            var row = truth.Row(0, y);
            for (var x = 0; x < truth.Width; x++)
            {
                if (row[x] > 127)
                {
                    (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x), Math.Max(y1, y));
                }
            }
        }

        Assert.True(x1 >= 0, "The ground truth has no change.");
        // The largest changed region would be nicer; the whole changed extent is enough to exercise the page.
        return new PixelWindow(x0, y0, Math.Min(x1 - x0 + 1, 400), Math.Min(y1 - y0 + 1, 400));
    }
}
