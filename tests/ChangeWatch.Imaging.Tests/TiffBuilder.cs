using System.Buffers.Binary;

namespace ChangeWatch.Imaging.Tests;

/// <summary>Builds small little-endian classic TIFFs by hand, for headers no writer would produce.</summary>
internal sealed class TiffBuilder
{
    private readonly SortedDictionary<ushort, (ushort Type, uint Count, byte[] Payload)> _entries = [];

    public uint NextIfdOffset { get; set; }

    /// <summary>Writes a Motorola ("MM", big-endian) file; pixel data is taken as given.</summary>
    public bool BigEndian { get; init; }

    public byte[] PixelData { get; set; } = [];

    public TiffBuilder Short(ushort tag, params ushort[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            W16(bytes.AsSpan(i * 2), values[i]);
        }

        _entries[tag] = (3, (uint)values.Length, bytes);
        return this;
    }

    public TiffBuilder Long(ushort tag, params uint[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            W32(bytes.AsSpan(i * 4), values[i]);
        }

        _entries[tag] = (4, (uint)values.Length, bytes);
        return this;
    }

    /// <summary>An entry whose declared count does not match its payload (hostile files).</summary>
    public TiffBuilder Raw(ushort tag, ushort type, uint count, uint valueOrOffset)
    {
        var bytes = new byte[4];
        W32(bytes, valueOrOffset);
        _entries[tag] = (type, count, bytes);
        return this;
    }

    /// <summary>A single-strip grey image header with the pixel data placed after the directory.</summary>
    public static TiffBuilder Grey16(uint width, uint height, byte[] pixels, bool bigEndian, ushort compression) =>
        new TiffBuilder { PixelData = pixels, BigEndian = bigEndian }
            .Long(256, width).Long(257, height).Short(258, 16).Short(259, compression).Short(262, 1)
            .Short(277, 1).Long(278, height).Long(279, (uint)pixels.Length)
            .Long(273, 0);

    public static TiffBuilder Grey8(uint width, uint height, byte[] pixels) =>
        new TiffBuilder { PixelData = pixels }
            .Long(256, width).Long(257, height).Short(258, 8).Short(259, 1).Short(262, 1)
            .Short(277, 1).Long(278, height).Long(279, (uint)pixels.Length)
            .Long(273, 0); // patched to the pixel data offset by Build

    private void W16(Span<byte> s, ushort v)
    {
        if (BigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(s, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(s, v);
        }
    }

    private void W32(Span<byte> s, uint v)
    {
        if (BigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(s, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s, v);
        }
    }

    public byte[] Build()
    {
        const int ifdOffset = 8;
        var ifdSize = 2 + (_entries.Count * 12) + 4;
        var outOfLine = _entries.Values.Where(e => e.Payload.Length > 4).Sum(e => e.Payload.Length + (e.Payload.Length % 2));
        var pixelOffset = ifdOffset + ifdSize + outOfLine;
        if (_entries.TryGetValue(273, out var strips) && strips.Count == 1 && strips.Type == 4
            && strips.Payload.All(b => b == 0))
        {
            W32(strips.Payload, (uint)pixelOffset);
        }

        var file = new byte[pixelOffset + PixelData.Length];
        (BigEndian ? "MM\0*"u8 : "II*\0"u8).CopyTo(file);
        W32(file.AsSpan(4), ifdOffset);
        W16(file.AsSpan(ifdOffset), (ushort)_entries.Count);
        var entry = ifdOffset + 2;
        var data = ifdOffset + ifdSize;
        foreach (var (tag, (type, count, payload)) in _entries)
        {
            W16(file.AsSpan(entry), tag);
            W16(file.AsSpan(entry + 2), type);
            W32(file.AsSpan(entry + 4), count);
            if (payload.Length <= 4)
            {
                payload.CopyTo(file.AsSpan(entry + 8));
            }
            else
            {
                W32(file.AsSpan(entry + 8), (uint)data);
                payload.CopyTo(file.AsSpan(data));
                data += payload.Length + (payload.Length % 2);
            }

            entry += 12;
        }

        W32(file.AsSpan(entry), NextIfdOffset);
        PixelData.CopyTo(file.AsSpan(pixelOffset));
        return file;
    }
}
