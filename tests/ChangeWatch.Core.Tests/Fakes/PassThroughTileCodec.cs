using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Tests.Fakes;

/// <summary>Tiles as raw little-endian floats after a small header (width, height, bands); georeferencing is not kept.</summary>
public sealed class PassThroughTileCodec : ITileCodec
{
    public string ContentType => "application/octet-stream";

    public void Encode(TileRaster tile, Stream destination)
    {
        using var writer = new BinaryWriter(destination, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(tile.Width);
        writer.Write(tile.Height);
        writer.Write(tile.BandCount);
        foreach (var v in tile.Data)
        {
            writer.Write(v);
        }
    }

    public TileRaster Decode(Stream source)
    {
        using var reader = new BinaryReader(source, System.Text.Encoding.UTF8, leaveOpen: true);
        var (w, h, b) = (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        var data = new float[w * h * b];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = reader.ReadSingle();
        }

        return new TileRaster(w, h, b, data);
    }
}
