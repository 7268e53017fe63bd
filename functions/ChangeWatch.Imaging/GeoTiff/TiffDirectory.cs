using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ChangeWatch.Core.Domain;

namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>One entry of a TIFF image file directory, with its payload's place in the file validated.</summary>
internal readonly record struct TiffEntry(ushort Tag, ushort Type, ulong Count, ulong ValueOrOffset, bool Inline, long InlinePosition);

/// <summary>
/// A minimal, defensive reader of the first image file directory (IFD) of a classic or BigTIFF file. It reads the
/// directory entries only (no payload arrays) and checks that every out-of-line payload lies inside the file, so a
/// hostile count or offset is rejected before anything proportional to it is allocated. The IFD chain is walked up to
/// <see cref="MaxDirectories"/> directories to detect loops.
/// </summary>
internal sealed class TiffDirectory
{
    internal const int MaxEntries = 1024;
    internal const int MaxDirectories = 256;

    private readonly Stream _stream;
    private readonly Dictionary<ushort, TiffEntry> _entries;

    private TiffDirectory(Stream stream, bool bigEndian, bool bigTiff, Dictionary<ushort, TiffEntry> entries)
    {
        _stream = stream;
        BigEndian = bigEndian;
        BigTiff = bigTiff;
        _entries = entries;
    }

    public bool BigEndian { get; }

    public bool BigTiff { get; }

    public long Length => _stream.Length;

    /// <summary>Reads the header and the first directory; throws CorruptImage for structural errors.</summary>
    public static TiffDirectory ReadFirst(Stream stream)
    {
        var length = stream.Length;
        Span<byte> header = stackalloc byte[16];
        stream.Position = 0;
        if (stream.ReadAtLeast(header[..8], 8, throwOnEndOfStream: false) < 8)
        {
            throw Corrupt("The TIFF header is truncated.");
        }

        bool bigEndian = header[0] == (byte)'M';
        if (!(header[0] == header[1] && (header[0] == (byte)'I' || header[0] == (byte)'M')))
        {
            throw new RejectedInputException(RejectionCode.UnsupportedFormat, "Not a TIFF file (bad byte-order mark).");
        }

        var version = ReadU16(header[2..], bigEndian);
        ulong firstIfd;
        bool bigTiff;
        if (version == 42)
        {
            bigTiff = false;
            firstIfd = ReadU32(header[4..], bigEndian);
        }
        else if (version == 43)
        {
            bigTiff = true;
            if (ReadU16(header[4..], bigEndian) != 8 || ReadU16(header[6..], bigEndian) != 0)
            {
                throw Corrupt("The BigTIFF header declares an unsupported offset size.");
            }

            if (stream.ReadAtLeast(header[8..16], 8, throwOnEndOfStream: false) < 8)
            {
                throw Corrupt("The BigTIFF header is truncated.");
            }

            firstIfd = ReadU64(header[8..], bigEndian);
        }
        else
        {
            throw new RejectedInputException(RejectionCode.UnsupportedFormat, "Not a TIFF file (bad version number).");
        }

        var entrySize = bigTiff ? 20 : 12;
        var countSize = bigTiff ? 8 : 2;
        var offsetSize = bigTiff ? 8 : 4;
        var visited = new HashSet<ulong>();
        Dictionary<ushort, TiffEntry>? first = null;
        var ifd = firstIfd;
        var buffer = new byte[Math.Max(entrySize, 8)];
        while (ifd != 0)
        {
            if (visited.Count >= MaxDirectories)
            {
                throw Corrupt("The TIFF file has too many image directories.");
            }

            if (!visited.Add(ifd))
            {
                throw Corrupt("The TIFF image directories form a loop.");
            }

            if (ifd < 8 || ifd > (ulong)length - (ulong)countSize)
            {
                throw Corrupt("A TIFF image directory offset lies outside the file.");
            }

            stream.Position = (long)ifd;
            ReadExactly(stream, buffer.AsSpan(0, countSize));
            var count = bigTiff ? ReadU64(buffer, bigEndian) : ReadU16(buffer, bigEndian);
            if (count == 0 || count > MaxEntries)
            {
                throw Corrupt($"A TIFF image directory declares {count} entries.");
            }

            var end = ifd + (ulong)countSize + count * (ulong)entrySize + (ulong)offsetSize;
            if (end > (ulong)length)
            {
                throw Corrupt("A TIFF image directory runs past the end of the file.");
            }

            if (first is null)
            {
                first = new Dictionary<ushort, TiffEntry>((int)count);
                for (ulong i = 0; i < count; i++)
                {
                    var entryPosition = (long)ifd + countSize + (long)i * entrySize;
                    stream.Position = entryPosition;
                    ReadExactly(stream, buffer.AsSpan(0, entrySize));
                    var entry = ParseEntry(buffer, bigEndian, bigTiff, entryPosition, length);
                    if (entry is { } e)
                    {
                        first.TryAdd(e.Tag, e);
                    }
                }
            }

            stream.Position = (long)(end - (ulong)offsetSize);
            ReadExactly(stream, buffer.AsSpan(0, offsetSize));
            ifd = bigTiff ? ReadU64(buffer, bigEndian) : ReadU32(buffer, bigEndian);
        }

        if (first is null)
        {
            throw Corrupt("The TIFF file has no image directory.");
        }

        return new TiffDirectory(stream, bigEndian, bigTiff, first);
    }

    public bool Has(ushort tag) => _entries.ContainsKey(tag);

    /// <summary>Payload element count of a tag, or 0 when absent.</summary>
    public ulong CountOf(ushort tag) => _entries.TryGetValue(tag, out var e) ? e.Count : 0;

    /// <summary>First value of an integer tag, or <paramref name="fallback"/> when absent.</summary>
    public ulong GetScalar(ushort tag, ulong fallback)
    {
        if (!_entries.TryGetValue(tag, out var e) || e.Count == 0)
        {
            return fallback;
        }

        Span<ulong> one = stackalloc ulong[1];
        ReadIntegers(e, one);
        return one[0];
    }

    /// <summary>
    /// The first <paramref name="limit"/> values (all by default) of an integer tag (BYTE, SHORT, LONG, LONG8 and signed
    /// forms), or null when absent.
    /// </summary>
    public ulong[]? GetIntegers(ushort tag, int limit = int.MaxValue)
    {
        if (!_entries.TryGetValue(tag, out var e))
        {
            return null;
        }

        var values = new ulong[Math.Min(e.Count, (ulong)limit)];
        ReadIntegers(e, values);
        return values;
    }

    /// <summary>All values of a numeric tag as doubles, or null when absent.</summary>
    public double[]? GetDoubles(ushort tag)
    {
        if (!_entries.TryGetValue(tag, out var e))
        {
            return null;
        }

        var size = TypeSize(e.Type);
        var bytes = Payload(e, size);
        var values = new double[e.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var s = bytes.AsSpan(i * size, size);
            values[i] = e.Type switch
            {
                11 => BigEndian ? BinaryPrimitives.ReadSingleBigEndian(s) : BinaryPrimitives.ReadSingleLittleEndian(s),
                12 => BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s),
                5 => Rational(ReadU32(s, BigEndian), ReadU32(s[4..], BigEndian)),
                10 => Rational((int)ReadU32(s, BigEndian), (int)ReadU32(s[4..], BigEndian)),
                _ => IntegerAt(e.Type, s),
            };
        }

        return values;
    }

    /// <summary>An ASCII tag without its trailing NUL(s), or null when absent or not ASCII.</summary>
    public string? GetAscii(ushort tag)
    {
        if (!_entries.TryGetValue(tag, out var e) || e.Type != 2)
        {
            return null;
        }

        var bytes = Payload(e, 1);
        var text = Encoding.Latin1.GetString(bytes);
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        return nul >= 0 ? text[..nul] : text;
    }

    private void ReadIntegers(TiffEntry e, Span<ulong> destination)
    {
        var size = TypeSize(e.Type);
        if (e.Type is not (1 or 3 or 4 or 6 or 8 or 9 or 13 or 16 or 17 or 18))
        {
            throw Corrupt($"TIFF tag {e.Tag} has type {e.Type} where an integer is expected.");
        }

        var count = (int)Math.Min((ulong)destination.Length, e.Count);
        var bytes = Payload(e with { Count = (ulong)count }, size);
        for (var i = 0; i < count; i++)
        {
            var v = IntegerAt(e.Type, bytes.AsSpan(i * size, size));
            destination[i] = v < 0 ? throw Corrupt($"TIFF tag {e.Tag} holds a negative value.") : (ulong)v;
        }
    }

    private long IntegerAt(ushort type, ReadOnlySpan<byte> s) => type switch
    {
        1 or 7 => s[0],
        6 => (sbyte)s[0],
        3 => ReadU16(s, BigEndian),
        8 => (short)ReadU16(s, BigEndian),
        4 or 13 => ReadU32(s, BigEndian),
        9 => (int)ReadU32(s, BigEndian),
        16 or 18 => (long)Math.Min(ReadU64(s, BigEndian), long.MaxValue),
        17 => (long)ReadU64(s, BigEndian),
        _ => throw Corrupt($"TIFF type {type} is not numeric."),
    };

    private byte[] Payload(TiffEntry e, int elementSize)
    {
        var byteCount = checked((int)(e.Count * (ulong)elementSize));
        var bytes = new byte[byteCount];
        _stream.Position = e.Inline ? e.InlinePosition : (long)e.ValueOrOffset;
        ReadExactly(_stream, bytes);
        return bytes;
    }

    private static TiffEntry? ParseEntry(ReadOnlySpan<byte> b, bool bigEndian, bool bigTiff, long entryPosition, long length)
    {
        var tag = ReadU16(b, bigEndian);
        var type = ReadU16(b[2..], bigEndian);
        var count = bigTiff ? ReadU64(b[4..], bigEndian) : ReadU32(b[4..], bigEndian);
        var value = bigTiff ? ReadU64(b[12..], bigEndian) : ReadU32(b[8..], bigEndian);
        var size = TypeSize(type);
        if (size == 0)
        {
            return null; // Unknown field type: ignored, as libtiff does.
        }

        var inlineCapacity = bigTiff ? 8UL : 4UL;
        if (count > (ulong)length)
        {
            throw Corrupt($"TIFF tag {tag} declares {count} values, more than the file holds.");
        }

        var bytes = count * (ulong)size;
        var isInline = bytes <= inlineCapacity;
        if (!isInline && (value > (ulong)length || bytes > (ulong)length - value))
        {
            throw Corrupt($"TIFF tag {tag} points outside the file.");
        }

        return new TiffEntry(tag, type, count, value, isInline, entryPosition + (bigTiff ? 12 : 8));
    }

    internal static int TypeSize(ushort type) => type switch
    {
        1 or 2 or 6 or 7 => 1,
        3 or 8 => 2,
        4 or 9 or 11 or 13 => 4,
        5 or 10 or 12 or 16 or 17 or 18 => 8,
        _ => 0,
    };

    private static double Rational(double numerator, double denominator) => denominator == 0 ? double.NaN : numerator / denominator;

    private static void ReadExactly(Stream stream, Span<byte> destination)
    {
        if (stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false) < destination.Length)
        {
            throw Corrupt("The TIFF file ends inside a directory.");
        }
    }

    internal static ushort ReadU16(ReadOnlySpan<byte> s, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);

    internal static uint ReadU32(ReadOnlySpan<byte> s, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    internal static ulong ReadU64(ReadOnlySpan<byte> s, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);

    internal static RejectedInputException Corrupt(string message) =>
        new(RejectionCode.CorruptImage, message);

    internal static string Describe(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
