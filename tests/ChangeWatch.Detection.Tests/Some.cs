using ChangeWatch.Core.Imaging;
using ChangeWatch.Synthetic;

namespace ChangeWatch.Detection.Tests;

/// <summary>Test data builders.</summary>
internal static class Some
{
    /// <summary>A landscape pair with no change and no nuisance but 1 unit of noise.</summary>
    public static SyntheticPair QuietPair(ulong seed = 7, int size = 256, bool nir = false) =>
        new SyntheticScene(size, size, seed, nir).Render();

    /// <summary>A copy of a raster with every sample transformed.</summary>
    public static TileRaster Map(TileRaster raster, Func<float, float> f)
    {
        var data = new float[raster.Data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = f(raster.Data[i]);
        }

        return new TileRaster(raster.Width, raster.Height, raster.BandCount, data);
    }

    /// <summary>A copy of a raster with dark vehicle-like rectangles (w × h px, 40 units in every band) at the given top-left corners.</summary>
    public static TileRaster WithDarkRectangles(TileRaster raster, IEnumerable<(int X, int Y)> corners, int w = 3, int h = 6)
    {
        var copy = Map(raster, v => v);
        foreach (var (x0, y0) in corners)
        {
            for (var b = 0; b < copy.BandCount; b++)
            {
                for (var y = y0; y < y0 + h; y++)
                {
                    copy.Row(b, y).Slice(x0, w).Fill(40f);
                }
            }
        }

        return copy;
    }

    /// <summary>A grid of well-separated corners for <see cref="WithDarkRectangles"/>.</summary>
    public static IEnumerable<(int X, int Y)> Grid(int count, int start = 40, int step = 24)
    {
        for (var i = 0; i < count; i++)
        {
            yield return (start + (i % 6) * step, start + (i / 6) * step * 2);
        }
    }

    /// <summary>The repository root (the folder holding ChangeWatch.slnx).</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ChangeWatch.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("ChangeWatch.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The shipped model folder.</summary>
    public static string ModelDirectory() => Path.Combine(RepoRoot(), "ml-models", "models");
}
