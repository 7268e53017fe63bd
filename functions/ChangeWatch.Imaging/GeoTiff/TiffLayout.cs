using System.Globalization;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>
/// The validated facts of a TIFF's first image: size, sample type, chunk (strip or tile) geometry and the place of every
/// chunk in the file. Built from the header alone; limits are checked before the chunk tables are read.
/// </summary>
internal sealed class TiffLayout
{
    /// <summary>Largest decoded tile accepted (a tile is decoded whole).</summary>
    internal const long MaxTileBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Most strips or tiles accepted (their offset tables then take at most 32 MiB). A 100 000 × 100 000 image in
    /// 256-pixel tiles has 153 000; 16 planar bands of single-row strips of 100 000 rows have 1.6 million.
    /// </summary>
    internal const ulong MaxChunks = 2_000_000;

    private TiffLayout()
    {
    }

    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int Bands { get; init; }
    public required SampleFormat SampleFormat { get; init; }
    public required int BytesPerSample { get; init; }
    public required ushort Compression { get; init; }
    /// <summary>TIFF predictor: 1 none, 2 horizontal differencing, 3 floating point (only meaningful when compressed).</summary>
    public required int Predictor { get; init; }
    public required bool Planar { get; init; }
    public required bool Tiled { get; init; }
    /// <summary>Chunk width: tile width, or image width for strips.</summary>
    public required int ChunkWidth { get; init; }
    /// <summary>Chunk height: tile height, or rows per strip.</summary>
    public required int ChunkHeight { get; init; }
    public required int ChunksAcross { get; init; }
    public required int ChunksDown { get; init; }
    public required ulong[] Offsets { get; init; }
    public required ulong[] ByteCounts { get; init; }
    public required bool BigEndian { get; init; }
    public required GeoReference? GeoReference { get; init; }
    public required double? NoData { get; init; }
    public required string? DateTime { get; init; }

    /// <summary>Samples stored per pixel inside one chunk: all bands (chunky) or one (planar).</summary>
    public int SamplesPerChunkPixel => Planar ? 1 : Bands;

    /// <summary>Bytes of one decoded row of one chunk.</summary>
    public int ChunkRowBytes => ChunkWidth * SamplesPerChunkPixel * BytesPerSample;

    public int ChunksPerPlane => ChunksAcross * ChunksDown;

    /// <summary>Rows a chunk in chunk-row <paramref name="chunkRow"/> really holds (strips: the last one may be short; tiles are padded).</summary>
    public int RowsIn(int chunkRow) => Tiled ? ChunkHeight : Math.Min(ChunkHeight, Height - (chunkRow * ChunkHeight));

    public bool IsCompressed => Compression != TiffTags.CompressionNone;

    /// <summary>True for Deflate (8 or 32946), which is inflated with System.IO.Compression rather than LibTiff.</summary>
    public bool IsDeflate => Compression is TiffTags.CompressionAdobeDeflate or TiffTags.CompressionDeflate;

    public RasterInfo ToInfo() => new(Width, Height, Bands, SampleFormat, RasterFormat.Tiff, GeoReference, NoData);

    public static TiffLayout Read(TiffDirectory dir, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var width = dir.GetScalar(TiffTags.ImageWidth, 0);
        var height = dir.GetScalar(TiffTags.ImageLength, 0);
        var bands = dir.GetScalar(TiffTags.SamplesPerPixel, 1);
        if (width == 0 || height == 0 || bands == 0)
        {
            throw TiffDirectory.Corrupt("The TIFF image has no width, height or samples per pixel.");
        }

        if (width > (ulong)limits.MaxDimension || height > (ulong)limits.MaxDimension)
        {
            throw new RejectedInputException(RejectionCode.TooManyPixels,
                string.Create(CultureInfo.InvariantCulture, $"The image is {width} x {height} pixels; the largest accepted side is {limits.MaxDimension}."));
        }

        if (width * height > (ulong)limits.MaxPixels)
        {
            throw new RejectedInputException(RejectionCode.TooManyPixels,
                string.Create(CultureInfo.InvariantCulture, $"The image has {width * height} pixels; at most {limits.MaxPixels} are accepted."));
        }

        if (bands > (ulong)limits.MaxBands)
        {
            throw new RejectedInputException(RejectionCode.TooManyPixels,
                string.Create(CultureInfo.InvariantCulture, $"The image has {bands} bands; at most {limits.MaxBands} are accepted."));
        }

        var compression = (ushort)dir.GetScalar(TiffTags.Compression, TiffTags.CompressionNone);
        if (compression is not (TiffTags.CompressionNone or TiffTags.CompressionLzw or TiffTags.CompressionAdobeDeflate
            or TiffTags.CompressionDeflate or TiffTags.CompressionPackBits))
        {
            throw Unsupported($"TIFF compression {compression} is not supported (none, LZW, Deflate and PackBits are).");
        }

        var bits = dir.GetIntegers(TiffTags.BitsPerSample, (int)bands) ?? [1];
        if (bits.Any(b => b != bits[0]))
        {
            throw Unsupported("TIFF bands with different bit depths are not supported.");
        }

        var sampleKinds = dir.GetIntegers(TiffTags.SampleFormat, (int)bands) ?? [1];
        if (sampleKinds.Any(k => k != sampleKinds[0]))
        {
            throw Unsupported("TIFF bands with different sample formats are not supported.");
        }

        var format = (bits[0], sampleKinds[0]) switch
        {
            (8, 1) => SampleFormat.UInt8,
            (16, 1) => SampleFormat.UInt16,
            (16, 2) => SampleFormat.Int16,
            (32, 3) => SampleFormat.Float32,
            var (b, k) => throw Unsupported($"TIFF samples of {b} bits, format {k}, are not supported (uint8, uint16, int16, float32 are)."),
        };

        var photometric = dir.GetScalar(TiffTags.Photometric, 1);
        if (photometric is 6 or 7 or 8 or 9 or 10)
        {
            throw Unsupported($"TIFF photometric interpretation {photometric} (YCbCr, CIELab, ...) is not supported.");
        }

        if (dir.GetScalar(TiffTags.FillOrder, 1) != 1)
        {
            throw Unsupported("TIFF fill order 2 (reversed bits) is not supported.");
        }

        var predictor = dir.GetScalar(TiffTags.Predictor, 1);
        if (compression != TiffTags.CompressionNone && predictor is not (1 or 2 or 3))
        {
            throw Unsupported($"TIFF predictor {predictor} is not supported.");
        }

        if (predictor == 3 && compression != TiffTags.CompressionNone && format != SampleFormat.Float32)
        {
            throw Unsupported("The TIFF floating-point predictor is only supported on float32 samples.");
        }

        var planar = dir.GetScalar(TiffTags.PlanarConfig, 1) == 2 && bands > 1;
        var bytesPerSample = (int)bits[0] / 8;
        var (w, h, b2) = ((int)width, (int)height, (int)bands);
        var tiled = dir.Has(TiffTags.TileWidth) || dir.Has(TiffTags.TileOffsets);
        int chunkWidth, chunkHeight;
        ushort offsetsTag, countsTag;
        if (tiled)
        {
            var tw = dir.GetScalar(TiffTags.TileWidth, 0);
            var th = dir.GetScalar(TiffTags.TileLength, 0);
            if (tw == 0 || th == 0 || tw > 65536 || th > 65536)
            {
                throw TiffDirectory.Corrupt("The TIFF tile size is missing or invalid.");
            }

            if (tw * th * (planar ? 1UL : bands) * (ulong)bytesPerSample > MaxTileBytes)
            {
                throw Unsupported($"TIFF tiles of {tw} x {th} pixels are larger than the {MaxTileBytes >> 20} MiB accepted.");
            }

            (chunkWidth, chunkHeight) = ((int)tw, (int)th);
            (offsetsTag, countsTag) = (TiffTags.TileOffsets, TiffTags.TileByteCounts);
        }
        else
        {
            var rps = dir.GetScalar(TiffTags.RowsPerStrip, height);
            (chunkWidth, chunkHeight) = (w, (int)Math.Clamp(rps, 1, height));
            (offsetsTag, countsTag) = (TiffTags.StripOffsets, TiffTags.StripByteCounts);
        }

        var across = (int)((w + (long)chunkWidth - 1) / chunkWidth);
        var down = (int)((h + (long)chunkHeight - 1) / chunkHeight);
        var expected = (ulong)across * (ulong)down * (planar ? bands : 1UL);
        if (expected > MaxChunks)
        {
            throw Unsupported(string.Create(CultureInfo.InvariantCulture,
                $"The TIFF image is cut into {expected} strips or tiles; at most {MaxChunks} are supported."));
        }

        if (dir.CountOf(offsetsTag) < expected || dir.CountOf(countsTag) < expected)
        {
            throw TiffDirectory.Corrupt(string.Create(CultureInfo.InvariantCulture,
                $"The TIFF file lists {dir.CountOf(offsetsTag)} chunk offsets and {dir.CountOf(countsTag)} byte counts; the image needs {expected}."));
        }

        var offsets = dir.GetIntegers(offsetsTag, (int)expected)!;
        var counts = dir.GetIntegers(countsTag, (int)expected)!;
        var length = (ulong)dir.Length;
        var chunkRowBytes = (ulong)chunkWidth * (planar ? 1UL : bands) * (ulong)bytesPerSample;
        for (var i = 0; i < (int)expected; i++)
        {
            if (counts[i] == 0)
            {
                continue; // A sparse chunk (GDAL SPARSE_OK): read as no-data.
            }

            if (offsets[i] > length || counts[i] > length - offsets[i])
            {
                throw TiffDirectory.Corrupt(string.Create(CultureInfo.InvariantCulture, $"TIFF chunk {i} lies beyond the end of the file."));
            }

            if (compression == TiffTags.CompressionNone)
            {
                var chunkRow = (int)((ulong)i % (ulong)(across * down)) / across;
                var rows = tiled ? chunkHeight : Math.Min(chunkHeight, h - (chunkRow * chunkHeight));
                if (counts[i] < chunkRowBytes * (ulong)rows)
                {
                    throw TiffDirectory.Corrupt(string.Create(CultureInfo.InvariantCulture, $"Uncompressed TIFF chunk {i} is shorter than its pixels."));
                }
            }
        }

        if (compression != TiffTags.CompressionNone)
        {
            CheckCompressionRatio((int)expected, counts, tiled, across, down, chunkHeight, h, chunkRowBytes, limits.MaxCompressionRatio);
        }

        var noDataText = dir.GetAscii(TiffTags.GdalNoData)?.Trim();
        double? noData = null;
        if (!string.IsNullOrEmpty(noDataText)
            && double.TryParse(noDataText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            noData = parsed;
        }

        return new TiffLayout
        {
            Width = w, Height = h, Bands = b2, SampleFormat = format, BytesPerSample = bytesPerSample,
            Compression = compression, Predictor = compression == TiffTags.CompressionNone ? 1 : (int)predictor, Planar = planar, Tiled = tiled, ChunkWidth = chunkWidth, ChunkHeight = chunkHeight,
            ChunksAcross = across, ChunksDown = down, Offsets = offsets, ByteCounts = counts, BigEndian = dir.BigEndian,
            GeoReference = GeoKeys.Read(dir), NoData = noData, DateTime = dir.GetAscii(TiffTags.DateTime),
        };
    }

    /// <summary>Rejects images whose stored chunks declare more than <paramref name="maxRatio"/> times their compressed bytes.</summary>
    private static void CheckCompressionRatio(
        int chunks, ulong[] counts, bool tiled, int across, int down, int chunkHeight, int height, ulong chunkRowBytes, double maxRatio)
    {
        ulong compressed = 0, declared = 0;
        for (var i = 0; i < chunks; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }

            var chunkRow = (int)((ulong)i % (ulong)(across * down)) / across;
            var rows = tiled ? chunkHeight : Math.Min(chunkHeight, height - (chunkRow * chunkHeight));
            compressed += counts[i];
            declared += chunkRowBytes * (ulong)rows;
        }

        if (compressed > 0 && declared / (double)compressed > maxRatio)
        {
            throw new RejectedInputException(RejectionCode.TooManyPixels, string.Create(CultureInfo.InvariantCulture,
                $"The image declares {declared} bytes of pixels in {compressed} compressed bytes, a ratio of {declared / (double)compressed:F0}; at most {maxRatio:G} is accepted (decompression bomb)."));
        }
    }

    private static RejectedInputException Unsupported(string message) => new(RejectionCode.UnsupportedFormat, message);
}
