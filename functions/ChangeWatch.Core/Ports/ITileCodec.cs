using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Core.Ports;

/// <summary>Encodes tiles as small georeferenced GeoTIFFs and reads them back.</summary>
public interface ITileCodec
{
    /// <summary>Content type of encoded tiles.</summary>
    string ContentType { get; }

    /// <summary>Writes <paramref name="tile"/> (float32, NaN = no-data, with its georeferencing when present).</summary>
    void Encode(TileRaster tile, Stream destination);

    /// <summary>Reads a tile written by <see cref="Encode"/>.</summary>
    TileRaster Decode(Stream source);
}
