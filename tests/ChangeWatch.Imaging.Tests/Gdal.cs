using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ChangeWatch.Imaging.Tests;

/// <summary>Runs GDAL's command-line tools when they are installed, as an independent reference.</summary>
internal static partial class Gdal
{
    public static bool IsInstalled { get; } = Find("gdalinfo") is not null && Find("gdallocationinfo") is not null;

    public static void SkipWhenAbsent()
    {
        if (!IsInstalled)
        {
            Assert.Skip("GDAL command-line tools (gdalinfo, gdallocationinfo) are not installed; apt-get install gdal-bin to run this check.");
        }
    }

    /// <summary>GDAL's geotransform (origin and pixel size) and EPSG code from gdalinfo.</summary>
    public static (double OriginX, double OriginY, double PixelWidth, double PixelHeight, int? Epsg, string Text) Info(string path)
    {
        var text = Run("gdalinfo", path);
        var origin = OriginPattern().Match(text);
        var size = PixelSizePattern().Match(text);
        Assert.True(origin.Success && size.Success, "gdalinfo printed no geotransform:\n" + text);
        var ids = EpsgPattern().Matches(text);
        int? epsg = ids.Count > 0 ? int.Parse(ids[^1].Groups[1].Value, CultureInfo.InvariantCulture) : null;
        return (D(origin.Groups[1]), D(origin.Groups[2]), D(size.Groups[1]), D(size.Groups[2]), epsg, text);
    }

    /// <summary>The value of every band at pixel (col, row), as GDAL reads it.</summary>
    public static double[] ValuesAt(string path, int col, int row) =>
        Run("gdallocationinfo", "-valonly", path, col.ToString(CultureInfo.InvariantCulture), row.ToString(CultureInfo.InvariantCulture))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => v.Equals("nan", StringComparison.OrdinalIgnoreCase) ? double.NaN : double.Parse(v, CultureInfo.InvariantCulture))
            .ToArray();

    /// <summary>Runs gdal_translate (when installed; otherwise skips the test).</summary>
    public static void Translate(params string[] args)
    {
        if (Find("gdal_translate") is null)
        {
            Assert.Skip("gdal_translate is not installed; apt-get install gdal-bin to run this check.");
        }

        Run("gdal_translate", args);
    }

    private static double D(Group g) => double.Parse(g.Value, CultureInfo.InvariantCulture);

    private static string Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(Find(tool)!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {error}");
        return output;
    }

    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    [GeneratedRegex(@"Origin = \(([-0-9.eE+]+),([-0-9.eE+]+)\)")]
    private static partial Regex OriginPattern();

    [GeneratedRegex(@"Pixel Size = \(([-0-9.eE+]+),([-0-9.eE+]+)\)")]
    private static partial Regex PixelSizePattern();

    [GeneratedRegex(@"ID\[""EPSG"",(\d+)\]\]\s*\nData axis to CRS axis mapping")]
    private static partial Regex EpsgPattern();
}
