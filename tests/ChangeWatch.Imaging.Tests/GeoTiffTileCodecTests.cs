using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Imaging.GeoTiff;

namespace ChangeWatch.Imaging.Tests;

public sealed class GeoTiffTileCodecTests
{
    [Fact]
    public void Decode_EncodedTile_IsBitIdenticalWithNaNAndGeoReference()
    {
        var geo = Some.UtmGeo with { Transform = Some.UtmGeo.Transform.Offset(256, 512) };
        var tile = new TileRaster(96, 80, 4, geo);
        var random = new Random(3);
        for (var i = 0; i < tile.Data.Length; i++)
        {
            tile.Data[i] = i % 97 == 0 ? float.NaN : (float)((random.NextDouble() * 20000) - 5000);
        }

        tile.Data[5] = float.Epsilon;
        tile.Data[6] = -0f;
        tile.Data[7] = float.MaxValue;
        var codec = new GeoTiffTileCodec();
        using var stream = new MemoryStream();

        codec.Encode(tile, stream);
        stream.Position = 0;
        var back = codec.Decode(stream);

        Assert.Equal((96, 80, 4), (back.Width, back.Height, back.BandCount));
        Assert.Equal(geo, back.GeoReference);
        var expected = tile.Data.Select(BitConverter.SingleToInt32Bits);
        var actual = back.Data.Select(BitConverter.SingleToInt32Bits);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    public void Decode_TileEncodedAtAnyDeflateLevel_IsBitIdentical(int level)
    {
        var tile = new TileRaster(64, 48, 2, Enumerable.Range(0, 64 * 48 * 2).Select(i => i % 31 == 0 ? float.NaN : (float)(i % 500) * 1.5f).ToArray());
        var codec = new GeoTiffTileCodec(level);
        using var stream = new MemoryStream();

        codec.Encode(tile, stream);
        stream.Position = 0;

        Assert.Equal(tile.Data.Select(BitConverter.SingleToInt32Bits), codec.Decode(stream).Data.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public void Constructor_DeflateLevelOutside1To9_Throws(int level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeoTiffTileCodec(level));
    }

    [Fact]
    public void Decode_TileWithoutGeoReference_ReturnsNullGeoReference()
    {
        var tile = new TileRaster(16, 16, 1, Enumerable.Range(0, 256).Select(i => (float)i).ToArray());
        var codec = new GeoTiffTileCodec();
        using var stream = new MemoryStream();

        codec.Encode(tile, stream);
        stream.Position = 0;
        var back = codec.Decode(stream);

        Assert.Null(back.GeoReference);
        Assert.Equal(tile.Data, back.Data);
    }

    [Fact]
    public void Encode_Tile_WritesFloat32PlanarDeflateWithFloatingPointPredictorAndNanNoData()
    {
        var tile = new TileRaster(16, 8, 2, Some.UtmGeo);
        using var stream = new MemoryStream();

        new GeoTiffTileCodec().Encode(tile, stream);

        stream.Position = 0;
        var directory = TiffDirectory.ReadFirst(stream);
        Assert.Equal(8UL, directory.GetScalar(TiffTags.Compression, 0));
        Assert.Equal(3UL, directory.GetScalar(TiffTags.Predictor, 0));
        Assert.Equal(2UL, directory.GetScalar(TiffTags.PlanarConfig, 0));
        Assert.Equal(3UL, directory.GetScalar(TiffTags.SampleFormat, 0));
        Assert.Equal("nan", directory.GetAscii(TiffTags.GdalNoData));
        Assert.Equal("image/tiff", new GeoTiffTileCodec().ContentType);
    }

    [Fact]
    public void Decode_NotATiff_RejectsWithUnsupportedFormat()
    {
        var error = Assert.Throws<RejectedInputException>(() => new GeoTiffTileCodec().Decode(new MemoryStream("not a tiff"u8.ToArray())));

        Assert.Equal(RejectionCode.UnsupportedFormat, error.Code);
    }
}
