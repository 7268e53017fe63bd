using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;
using ChangeWatch.Imaging.Decoding;

namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>
/// Reads windows of a TIFF's first image straight from the caller's stream. Uncompressed chunks are read row by row
/// from the file; compressed ones are decoded one strip or tile at a time and kept in a <see cref="DecodedChunkCache"/>:
/// Deflate by System.IO.Compression streaming from the file (then the predictor and byte order are undone here), LZW
/// and PackBits by LibTiff.NET. Memory held: the window, the chunk cache budget, one decoded chunk (a strip is decoded
/// only down to the last row the window needs when it is too big to cache) and, for LZW and PackBits, LibTiff's buffer
/// for one compressed chunk. Not thread-safe (it shares the caller's stream position).
/// </summary>
internal sealed class TiffRasterSource : IRasterSource
{
    private readonly Stream _stream;
    private readonly TiffLayout _layout;
    private readonly DecodedChunkCache _cache;
    private readonly Tiff? _tiff;
    private readonly float _noData;
    private byte[] _scratch = [];
    private bool _disposed;

    public TiffRasterSource(Stream stream, TiffLayout layout, long cacheBudgetBytes)
    {
        _stream = stream;
        _layout = layout;
        _cache = new DecodedChunkCache(cacheBudgetBytes);
        _noData = layout.NoData is { } nd ? (float)nd : float.NaN;
        Info = layout.ToInfo();
        if (layout.IsCompressed && !layout.IsDeflate)
        {
            using var scope = LibTiffScope.Reading();
            stream.Position = 0;
            _tiff = Tiff.ClientOpen("raster", "r", stream, new BorrowedTiffStream())
                ?? throw TiffDirectory.Corrupt("LibTiff could not open the TIFF image.");
        }
    }

    public RasterInfo Info { get; }

    public void ReadWindow(PixelWindow window, Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window.Width, nameof(window));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window.Height, nameof(window));
        var l = _layout;
        var planeSize = checked(window.Width * window.Height);
        var needed = checked(planeSize * l.Bands);
        if (destination.Length < needed)
        {
            throw new ArgumentException($"The destination holds {destination.Length} samples; the window needs {needed}.", nameof(destination));
        }

        var dest = destination[..needed];
        var clip = window.ClipTo(l.Width, l.Height);
        if (clip.Width != window.Width || clip.Height != window.Height)
        {
            dest.Fill(float.NaN);
        }

        if (clip.IsEmpty)
        {
            return;
        }

        var (clipRight, clipBottom) = (clip.X + clip.Width, clip.Y + clip.Height);
        var (cx0, cx1) = (clip.X / l.ChunkWidth, (clipRight - 1) / l.ChunkWidth);
        var (cy0, cy1) = (clip.Y / l.ChunkHeight, (clipBottom - 1) / l.ChunkHeight);
        var planes = l.Planar ? l.Bands : 1;
        var sparseFill = l.NoData is null ? 0f : float.NaN;
        for (var plane = 0; plane < planes; plane++)
        {
            for (var cy = cy0; cy <= cy1; cy++)
            {
                var chunkTop = cy * l.ChunkHeight;
                var rowFrom = Math.Max(clip.Y, chunkTop);
                var rowTo = Math.Min(clipBottom, chunkTop + l.ChunkHeight);
                for (var cx = cx0; cx <= cx1; cx++)
                {
                    var chunkLeft = cx * l.ChunkWidth;
                    var colFrom = Math.Max(clip.X, chunkLeft);
                    var colTo = Math.Min(clipRight, chunkLeft + l.ChunkWidth);
                    var chunk = (plane * l.ChunksPerPlane) + (cy * l.ChunksAcross) + cx;
                    var rows = ChunkRows(chunk, cy, rowFrom - chunkTop, rowTo - rowFrom);
                    for (var y = rowFrom; y < rowTo; y++)
                    {
                        var rowBytes = rows.IsEmpty ? default : rows.Slice((y - rowFrom) * l.ChunkRowBytes, l.ChunkRowBytes);
                        var firstBand = l.Planar ? plane : 0;
                        var lastBand = l.Planar ? plane : l.Bands - 1;
                        for (var b = firstBand; b <= lastBand; b++)
                        {
                            var target = dest.Slice((b * planeSize) + ((y - window.Y) * window.Width) + (colFrom - window.X), colTo - colFrom);
                            if (rows.IsEmpty)
                            {
                                target.Fill(sparseFill);
                            }
                            else
                            {
                                SampleConverter.ToFloat(rowBytes, l.SampleFormat, colFrom - chunkLeft, l.SamplesPerChunkPixel,
                                    l.Planar ? 0 : b, target, _noData);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Decoded, native-order rows [<paramref name="firstRow"/>, +<paramref name="rowCount"/>) of a chunk; empty for a
    /// sparse chunk (no bytes in the file).
    /// </summary>
    private ReadOnlySpan<byte> ChunkRows(int chunk, int chunkRow, int firstRow, int rowCount)
    {
        var l = _layout;
        if (l.ByteCounts[chunk] == 0)
        {
            return default;
        }

        var rowBytes = l.ChunkRowBytes;
        if (!l.IsCompressed)
        {
            var span = Scratch(rowCount * rowBytes);
            _stream.Position = checked((long)l.Offsets[chunk] + ((long)firstRow * rowBytes));
            if (_stream.ReadAtLeast(span, span.Length, throwOnEndOfStream: false) < span.Length)
            {
                throw TiffDirectory.Corrupt("The TIFF file ends inside its pixel data.");
            }

            if (l.BigEndian)
            {
                SwapToNative(span, l.BytesPerSample);
            }

            return span;
        }

        var chunkRows = l.RowsIn(chunkRow);
        var fullBytes = chunkRows * rowBytes;
        if (_cache.TryGet(chunk, out var cached))
        {
            return cached.AsSpan(firstRow * rowBytes, rowCount * rowBytes);
        }

        if (_cache.CanHold(fullBytes))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(fullBytes);
            try
            {
                Decode(chunk, buffer, fullBytes);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }

            _cache.Add(chunk, buffer, fullBytes);
            return buffer.AsSpan(firstRow * rowBytes, rowCount * rowBytes);
        }

        // Too big to keep: decode a strip only down to the last row needed (tiles are decoded whole).
        var decodeBytes = l.Tiled ? fullBytes : (firstRow + rowCount) * rowBytes;
        Scratch(decodeBytes);
        Decode(chunk, _scratch, decodeBytes);
        return _scratch.AsSpan(firstRow * rowBytes, rowCount * rowBytes);
    }

    private void Decode(int chunk, byte[] buffer, int bytes)
    {
        if (_layout.IsDeflate)
        {
            Inflate(chunk, buffer.AsSpan(0, bytes));
            return;
        }

        using var scope = LibTiffScope.Reading();
        var tiff = _tiff!;
        var read = _layout.Tiled
            ? tiff.ReadEncodedTile(chunk, buffer, 0, bytes)
            : tiff.ReadEncodedStrip(chunk, buffer, 0, bytes);
        if (read < bytes)
        {
            throw TiffDirectory.Corrupt($"TIFF chunk {chunk} decoded to {read} bytes; {bytes} were expected.");
        }
    }

    /// <summary>
    /// Inflates a Deflate chunk (zlib stream) with System.IO.Compression straight from the file, then undoes the
    /// predictor and byte order as libtiff does, leaving native-order samples.
    /// </summary>
    private void Inflate(int chunk, Span<byte> destination)
    {
        var l = _layout;
        int read;
        try
        {
            _stream.Position = checked((long)l.Offsets[chunk]);
            using var inflater = new ZLibStream(new StreamSlice(_stream, checked((long)l.ByteCounts[chunk])), CompressionMode.Decompress);
            read = inflater.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException ex)
        {
            throw TiffDirectory.Corrupt($"TIFF chunk {chunk} is not valid Deflate data: {ex.Message}");
        }

        if (read < destination.Length)
        {
            throw TiffDirectory.Corrupt($"TIFF chunk {chunk} inflated to {read} bytes; {destination.Length} were expected.");
        }

        if (l.Predictor == 3)
        {
            var row = ArrayPool<byte>.Shared.Rent(l.ChunkRowBytes);
            TiffPredictor.UndoFloatingPoint(destination, l.ChunkRowBytes, l.SamplesPerChunkPixel, row);
            ArrayPool<byte>.Shared.Return(row);
            if (l.BigEndian)
            {
                // libtiff writes the caller's big-endian bytes through the predictor as if they were native ones.
                SwapToNative(destination, l.BytesPerSample);
            }

            return;
        }

        if (l.BigEndian)
        {
            SwapToNative(destination, l.BytesPerSample);
        }

        if (l.Predictor == 2)
        {
            TiffPredictor.UndoHorizontal(destination, l.ChunkRowBytes, l.BytesPerSample, l.SamplesPerChunkPixel);
        }
    }

    private Span<byte> Scratch(int bytes)
    {
        if (_scratch.Length < bytes)
        {
            if (_scratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }

            _scratch = ArrayPool<byte>.Shared.Rent(bytes);
        }

        return _scratch.AsSpan(0, bytes);
    }

    private static void SwapToNative(Span<byte> bytes, int sampleSize)
    {
        switch (sampleSize)
        {
            case 2:
                var u16 = MemoryMarshal.Cast<byte, ushort>(bytes);
                BinaryPrimitives.ReverseEndianness(u16, u16);
                break;
            case 4:
                var u32 = MemoryMarshal.Cast<byte, uint>(bytes);
                BinaryPrimitives.ReverseEndianness(u32, u32);
                break;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _cache.Dispose();
        _tiff?.Dispose();
        if (_scratch.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
    }
}
