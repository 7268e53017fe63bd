namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>Compression schemes <see cref="GeoTiffWriter"/> can write (and <c>RasterDecoder</c> can read).</summary>
public enum TiffCompression
{
    /// <summary>Uncompressed.</summary>
    None,
    /// <summary>LZW (TIFF compression 5).</summary>
    Lzw,
    /// <summary>Deflate / zlib (TIFF compression 8, "Adobe Deflate").</summary>
    Deflate,
    /// <summary>PackBits run-length (TIFF compression 32773).</summary>
    PackBits,
}
