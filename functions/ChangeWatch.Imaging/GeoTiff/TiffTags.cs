namespace ChangeWatch.Imaging.GeoTiff;

/// <summary>TIFF and GeoTIFF tag and key numbers used by the reader and writers.</summary>
internal static class TiffTags
{
    public const ushort ImageWidth = 256;
    public const ushort ImageLength = 257;
    public const ushort BitsPerSample = 258;
    public const ushort Compression = 259;
    public const ushort Photometric = 262;
    public const ushort FillOrder = 266;
    public const ushort StripOffsets = 273;
    public const ushort SamplesPerPixel = 277;
    public const ushort RowsPerStrip = 278;
    public const ushort StripByteCounts = 279;
    public const ushort PlanarConfig = 284;
    public const ushort DateTime = 306;
    public const ushort Predictor = 317;
    public const ushort TileWidth = 322;
    public const ushort TileLength = 323;
    public const ushort TileOffsets = 324;
    public const ushort TileByteCounts = 325;
    public const ushort SampleFormat = 339;
    public const ushort ModelPixelScale = 33550;
    public const ushort ModelTiepoint = 33922;
    public const ushort ModelTransformation = 34264;
    public const ushort GeoKeyDirectory = 34735;
    public const ushort GeoDoubleParams = 34736;
    public const ushort GeoAsciiParams = 34737;
    public const ushort GdalNoData = 42113;

    public const ushort CompressionNone = 1;
    public const ushort CompressionLzw = 5;
    public const ushort CompressionAdobeDeflate = 8;
    public const ushort CompressionPackBits = 32773;
    public const ushort CompressionDeflate = 32946;

    public const ushort GTModelTypeKey = 1024;
    public const ushort GTRasterTypeKey = 1025;
    public const ushort GeographicTypeKey = 2048;
    public const ushort ProjectedCSTypeKey = 3072;
    public const ushort RasterPixelIsArea = 1;
    public const ushort RasterPixelIsPoint = 2;
    public const ushort ModelTypeProjected = 1;
    public const ushort ModelTypeGeographic = 2;
    public const ushort UserDefined = 32767;
}
