using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Ports;

namespace ChangeWatch.Core.Pipeline;

/// <summary>
/// Tiles and change masks in the <c>tiles</c> container: <c>{aoi}/{sceneId}/{row}_{col}.tif</c> (GeoTIFF) and
/// <c>{aoi}/{sceneId}/{row}_{col}.mask</c> (one byte per pixel, 1 = change, only for flagged tiles).
/// </summary>
public sealed class TileStore(IBlobStore blobs, ITileCodec codec)
{
    /// <summary>Blob name of a tile.</summary>
    public static string TileName(string aoi, SceneId scene, TileId tile) => $"{aoi}/{scene}/{tile}.tif";

    /// <summary>Blob name of a tile's change mask.</summary>
    public static string MaskName(string aoi, SceneId scene, TileId tile) => $"{aoi}/{scene}/{tile}.mask";

    /// <summary>Writes (or overwrites with the same content) a tile.</summary>
    public async Task WriteTileAsync(string aoi, SceneId scene, TileId tile, TileRaster raster, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        codec.Encode(raster, buffer);
        buffer.Position = 0;
        await blobs.WriteAsync(StorageNames.TilesContainer, TileName(aoi, scene, tile), buffer, codec.ContentType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a tile, or null when the scene has no such tile (it did not cover that part of the grid).</summary>
    public async Task<TileRaster?> ReadTileAsync(string aoi, SceneId scene, TileId tile, CancellationToken cancellationToken)
    {
        // The codec needs a seekable stream; tiles are small (one 256 px tile), so buffering is bounded.
        var bytes = await blobs.ReadAllBytesAsync(StorageNames.TilesContainer, TileName(aoi, scene, tile), cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        using var buffer = new MemoryStream(bytes, writable: false);
        return codec.Decode(buffer);
    }

    /// <summary>Writes a tile's change mask.</summary>
    public async Task WriteMaskAsync(string aoi, SceneId scene, TileId tile, byte[] mask, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(mask, writable: false);
        await blobs.WriteAsync(StorageNames.TilesContainer, MaskName(aoi, scene, tile), content, "application/octet-stream", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a tile's change mask, or null.</summary>
    public Task<byte[]?> ReadMaskAsync(string aoi, SceneId scene, TileId tile, CancellationToken cancellationToken) =>
        blobs.ReadAllBytesAsync(StorageNames.TilesContainer, MaskName(aoi, scene, tile), cancellationToken);
}
