using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Imaging.Decoding;
using ChangeWatch.Imaging.GeoTiff;

// bench/tiling.sh driver.
//   raw <path> <size> <bands>           writes a band-interleaved little-endian uint16 scene (for gdal_translate)
//   tile <geotiff> <outdir> [workers]   tiles the scene on a 256 px grid (no overlap) like IngestScene: one decoder
//                                       source per worker, ReadWindow per tile, GeoTiffTileCodec.Encode to files;
//                                       prints one JSON line {seconds, tiles, peak_rss_mib}.
return args switch
{
    ["raw", var path, var size, var bands] => WriteRaw(path, int.Parse(size, CultureInfo.InvariantCulture), int.Parse(bands, CultureInfo.InvariantCulture)),
    ["tile", var src, var dir] => Tile(src, dir, Environment.ProcessorCount),
    ["tile", var src, var dir, var workers] => Tile(src, dir, int.Parse(workers, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: raw <path> <size> <bands> | tile <geotiff> <outdir> [workers]");
    return 2;
}

// Smooth fields plus a little deterministic noise: compresses like real 16-bit reflectance, not like white noise.
static int WriteRaw(string path, int size, int bands)
{
    using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
    var row = new ushort[size * bands];
    for (var y = 0; y < size; y++)
    {
        for (var x = 0; x < size; x++)
        {
            var h = (uint)(x * 73856093) ^ (uint)(y * 19349663);
            h ^= h >> 13;
            h *= 0x5bd1e995;
            h ^= h >> 15;
            var field = 800 + ((x / 7 + y / 11) % 600) + ((x * y / 4096) % 300);
            for (var b = 0; b < bands; b++)
            {
                row[(x * bands) + b] = (ushort)(field + (b * 250) + ((h >> (b * 4)) & 15));
            }
        }

        file.Write(MemoryMarshal.AsBytes(row.AsSpan()));
    }

    return 0;
}

static int Tile(string source, string outDir, int workers)
{
    Directory.CreateDirectory(outDir);
    var watch = Stopwatch.StartNew();
    var decoder = new RasterDecoder();
    var codec = new GeoTiffTileCodec();
    RasterInfo info;
    using (var probe = File.OpenRead(source))
    using (var raster = decoder.Open(probe, RasterFormat.Tiff, new DecodeLimits { MaxPixels = 1_000_000_000 }))
    {
        info = raster.Info;
    }

    var grid = new AoiGrid("bench", 256, 0, info.GeoReference, info.Width, info.Height);
    var placement = grid.Place(info.Width, info.Height, info.GeoReference);
    var tiles = grid.TilesCovering(placement);
    var next = -1;
    long readTicks = 0, encodeTicks = 0;
    var threads = Enumerable.Range(0, workers).Select(_ => new Thread(() =>
    {
        using var stream = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        using var raster = decoder.Open(stream, RasterFormat.Tiff, new DecodeLimits { MaxPixels = 1_000_000_000 });
        var data = new float[grid.TileSize * grid.TileSize * info.BandCount]; // every tile window is TileSize square
        int i;
        while ((i = Interlocked.Increment(ref next)) < tiles.Count)
        {
            var tile = tiles[i];
            var window = grid.TileWindow(tile);
            var tileRaster = new TileRaster(window.Width, window.Height, info.BandCount, data, grid.GeoReferenceAt(window.X, window.Y));
            var t0 = Stopwatch.GetTimestamp();
            raster.ReadWindow(placement.ToScene(window), tileRaster.Data);
            var t1 = Stopwatch.GetTimestamp();
            using var output = new FileStream(Path.Combine(outDir, $"{tile}.tif"), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            codec.Encode(tileRaster, output);
            Interlocked.Add(ref readTicks, t1 - t0);
            Interlocked.Add(ref encodeTicks, Stopwatch.GetTimestamp() - t1);
        }
    })).ToList();
    threads.ForEach(t => t.Start());
    threads.ForEach(t => t.Join());
    var seconds = watch.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"seconds\":{seconds:F3},\"read_cpu_s\":{readTicks / (double)Stopwatch.Frequency:F3},\"encode_cpu_s\":{encodeTicks / (double)Stopwatch.Frequency:F3},\"tiles\":{tiles.Count},\"workers\":{workers},\"peak_rss_mib\":{PeakRssMib():F1}}}"));
    return 0;
}

static double PeakRssMib()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
    }

    return double.NaN;
}
