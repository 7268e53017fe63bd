using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Core.Pipeline;

namespace ChangeWatch.Core.Tests;

public sealed class DomainTests
{
    private static readonly GeoReference Utm = new(32636, new GeoTransform(500_000, 10, 0, 4_000_000, 0, -10));

    [Theory]
    [InlineData("aoi-1/scene.tif", "aoi-1", "scene.tif")]
    [InlineData("A_b/2026 05 01 scene (1).png", "A_b", "2026 05 01 scene (1).png")]
    public void BlobPath_Parse_ValidName_SplitsAoiAndFile(string name, string aoi, string file)
    {
        var path = BlobPath.Parse(name);

        Assert.Equal((aoi, file), (path.Aoi, path.FileName));
        Assert.Equal(name, path.Name);
    }

    [Theory]
    [InlineData("noaoi.tif")]
    [InlineData("/scene.tif")]
    [InlineData("aoi/../x.tif")]
    [InlineData("aoi/a/b.tif")]
    [InlineData("aoi/a\\b.tif")]
    [InlineData("aoi/a\nb.tif")]
    [InlineData("a.b/x.tif")]
    public void BlobPath_Parse_UnsafeName_ThrowsInvalidName(string name)
    {
        var ex = Assert.Throws<RejectedInputException>(() => BlobPath.Parse(name));

        Assert.Equal(RejectionCode.InvalidName, ex.Code);
    }

    [Fact]
    public void TileRaster_Crop_CopiesTheWindow_NaNPastTheEdges_GeoreferencedAtItsCorner()
    {
        var geo = new GeoReference(32633, new GeoTransform(500_000, 2, 0, 4_000_000, 0, -2));
        var raster = new TileRaster(4, 3, 2, [.. Enumerable.Range(0, 24).Select(v => (float)v)], geo);

        var crop = raster.Crop(new PixelWindow(2, -1, 3, 3));

        Assert.Equal((3, 3, 2), (crop.Width, crop.Height, crop.BandCount));
        Assert.All(crop.Row(0, 0).ToArray(), v => Assert.True(float.IsNaN(v))); // row −1: outside
        Assert.Equal([2f, 3f, float.NaN], crop.Row(0, 1).ToArray());
        Assert.Equal([18f, 19f, float.NaN], crop.Row(1, 2).ToArray()); // band 1, row 1: 12 + 4 + 2
        Assert.Equal(new GeoTransform(500_004, 2, 0, 4_000_002, 0, -2), crop.GeoReference!.Transform);
        Assert.Null(new TileRaster(4, 3, 1).Crop(new PixelWindow(10, 10, 2, 2)).GeoReference);
        Assert.All(new TileRaster(4, 3, 1).Crop(new PixelWindow(10, 10, 2, 2)).Data, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void BlobPath_Key_IsTableSafeAndDistinct()
    {
        var a = BlobPath.Parse("aoi/x#?.tif").Key;
        var b = BlobPath.Parse("aoi/x.tif").Key;

        Assert.NotEqual(a, b);
        Assert.Matches("^[0-9a-f]+$", a);
    }

    [Fact]
    public void SceneId_FromSha256_TakesFirst16HexCharacters()
    {
        var id = SceneId.FromSha256(new string('a', 48) + new string('b', 16));

        Assert.Equal(new string('a', 16), id.Value);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 3)]
    [InlineData(12, -7)]
    public void TileId_ToStringThenParse_RoundTrips(int row, int col)
    {
        Assert.Equal(new TileId(row, col), TileId.Parse(new TileId(row, col).ToString()));
    }

    [Fact]
    public void AoiGrid_Cores_PartitionTheSceneExactlyOnce()
    {
        var grid = new AoiGrid("a", 256, 32, null, 1000, 700);
        var placement = new ScenePlacement(0, 0, 1000, 700);
        var owned = new int[1000 * 700];

        foreach (var tile in grid.TilesCovering(placement))
        {
            var core = grid.CoreWindow(tile).ClipTo(1000, 700);
            for (var y = core.Y; y < core.Y + core.Height; y++)
            {
                for (var x = core.X; x < core.X + core.Width; x++)
                {
                    owned[y * 1000 + x]++;
                }
            }
        }

        Assert.All(owned, n => Assert.Equal(1, n));
        Assert.Equal(5 * 4, grid.TilesCovering(placement).Count);
    }

    [Fact]
    public void AoiGrid_TileWindow_AddsHalfTheOverlapOfContextOnEachSide()
    {
        var grid = new AoiGrid("a", 256, 32, null, 1000, 700);

        Assert.Equal(new PixelWindow(224 - 16, 448 - 16, 256, 256), grid.TileWindow(new TileId(2, 1)));
        Assert.Equal(new TileId(-1, -1), grid.TileAt(-1, -224));
    }

    [Fact]
    public void AoiGrid_Place_GeoreferencedSceneOffsetByWholePixels()
    {
        var grid = new AoiGrid("a", 256, 32, Utm, 1000, 1000);
        var scene = Utm with { Transform = Utm.Transform with { OriginX = 500_000 + 120, OriginY = 4_000_000 - 50 } };

        Assert.Equal(new ScenePlacement(12, 5, 800, 800), grid.Place(800, 800, scene));
    }

    [Theory]
    [InlineData("scene.png", "scene.pgw")]
    [InlineData("scene.jpg", "scene.jgw")]
    [InlineData("scene.bmp", "scene.bpw")]
    [InlineData("scene.jpeg", "scene.jgw")]
    public void WorldFile_CandidateNames_StartWithTheShortForm(string image, string worldFile)
    {
        Assert.Equal(worldFile, WorldFile.CandidateNames(image)[0]);
        Assert.True(WorldFile.IsWorldFileName(worldFile));
    }

    [Fact]
    public void WorldFile_Parse_ShiftsThePixelCentreToTheCorner()
    {
        var transform = WorldFile.Parse("10\r\n0\r\n0\r\n-10\r\n500005\r\n4099995\r\n"u8);

        Assert.Equal(new GeoTransform(500_000, 10, 0, 4_100_000, 0, -10), transform);
    }

    [Theory]
    [InlineData("10\n0\n0\n-10\n5\n")]
    [InlineData("10\n0\n0\nminus ten\n5\n5\n")]
    [InlineData("0\n0\n0\n-10\n5\n5\n")]
    public void WorldFile_Parse_NotSixNumbers_RejectsAsInvalidSidecar(string text)
    {
        Assert.Equal(RejectionCode.InvalidSidecar, Assert.Throws<RejectedInputException>(() => WorldFile.Parse(System.Text.Encoding.UTF8.GetBytes(text))).Code);
    }

    [Fact]
    public void AoiGrid_TwoScenesOffsetByANonMultipleOfTheStride_SameTileCoversTheSameGround()
    {
        // Scene B starts 100 px east and 37 px south of scene A (stride 224): neither offset is a multiple of the stride.
        var grid = new AoiGrid("a", 256, 32, Utm, 900, 700);
        var sceneB = Utm with { Transform = Utm.Transform.Offset(100, 37) };
        var placementA = grid.Place(900, 700, Utm);
        var placementB = grid.Place(800, 600, sceneB);
        static float Ground(double x, double y) => (float)((Math.Floor(x / 10) * 7) + (Math.Floor(y / 10) * 13) % 1000);
        static float[] Scene(GeoReference geo, int width, int height)
        {
            var pixels = new float[width * height];
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var (mx, my) = geo.Transform.PixelToMap(x + 0.5, y + 0.5);
                    pixels[(y * width) + x] = Ground(mx, my);
                }
            }

            return pixels;
        }

        var pixelsA = Scene(Utm, 900, 700);
        var pixelsB = Scene(sceneB, 800, 600);
        var shared = grid.TilesCovering(placementA).Intersect(grid.TilesCovering(placementB)).ToList();
        var compared = 0;
        foreach (var tile in shared)
        {
            var window = grid.TileWindow(tile);
            var inA = placementA.ToScene(window);
            var inB = placementB.ToScene(window);
            for (var y = 0; y < window.Height; y++)
            {
                for (var x = 0; x < window.Width; x++)
                {
                    var (ax, ay, bx, by) = (inA.X + x, inA.Y + y, inB.X + x, inB.Y + y);
                    if (ax < 0 || ay < 0 || ax >= 900 || ay >= 700 || bx < 0 || by < 0 || bx >= 800 || by >= 600)
                    {
                        continue;
                    }

                    Assert.Equal(pixelsA[(ay * 900) + ax], pixelsB[(by * 800) + bx]);
                    compared++;
                }
            }
        }

        Assert.Equal(new ScenePlacement(100, 37, 800, 600), placementB);
        Assert.NotEqual(0, 100 % grid.Stride);
        Assert.True(compared > 300_000, $"only {compared} pixels compared");
    }

    [Theory]
    [InlineData(32636, 50)]
    [InlineData(32636, 2)]
    [InlineData(32635, 10)]
    public void AoiGrid_Place_OtherEpsgOrPixelSizeBeyondTheResampleRatio_ThrowsGridMismatch(int epsg, double pixelSize)
    {
        var grid = new AoiGrid("a", 256, 32, Utm, 1000, 1000);
        var scene = new GeoReference(epsg, Utm.Transform with { PixelWidth = pixelSize, PixelHeight = -pixelSize });

        Assert.Equal(RejectionCode.GridMismatch, Assert.Throws<RejectedInputException>(() => grid.Place(800, 800, scene)).Code);
    }

    [Fact]
    public void AoiGrid_Place_HalfThePixelSize_CoversTheFootprintResampled()
    {
        var grid = new AoiGrid("a", 256, 32, Utm, 1000, 1000);
        var scene = new GeoReference(32636, new GeoTransform(500_000 + 123, 5, 0, 4_000_000 - 47, 0, -5));

        var placement = grid.Place(400, 300, scene);

        Assert.Equal(new ScenePlacement(12, 4, 201, 151) { Resampled = true }, placement);
    }

    [Fact]
    public void AoiGrid_Place_SceneOutsideTheAoi_ThrowsNoOverlap()
    {
        var grid = new AoiGrid("a", 256, 32, Utm, 100, 100);
        var far = Utm with { Transform = Utm.Transform with { OriginX = 600_000 } };

        Assert.Equal(RejectionCode.NoOverlap, Assert.Throws<RejectedInputException>(() => grid.Place(100, 100, far)).Code);
    }

    [Fact]
    public void AoiGrid_Place_UngeoreferencedSceneOfOtherSize_ThrowsSizeMismatch()
    {
        var grid = new AoiGrid("a", 256, 32, null, 100, 100);

        Assert.Equal(RejectionCode.SizeMismatch, Assert.Throws<RejectedInputException>(() => grid.Place(101, 100, null)).Code);
    }

    [Fact]
    public void CoreChange_Measure_CountsOnlyInsideTheCore()
    {
        var mask = new byte[10 * 10];
        mask[0] = 1;            // in the margin: not owned by this tile
        mask[3 * 10 + 4] = 1;
        mask[5 * 10 + 6] = 1;

        var change = CoreChange.Measure(mask, 10, 10, margin: 2);

        Assert.Equal(2, change.Pixels);
        Assert.Equal(new PixelWindow(4, 3, 3, 3), change.Bounds);
        Assert.Equal(2 / 36.0, change.Fraction, 12);
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, RasterFormat.Png)]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0 }, RasterFormat.Jpeg)]
    [InlineData(new byte[] { 0x42, 0x4D, 0, 0, 0, 0, 0, 0 }, RasterFormat.Bmp)]
    [InlineData(new byte[] { 0x49, 0x49, 0x2A, 0, 8, 0, 0, 0 }, RasterFormat.Tiff)]
    [InlineData(new byte[] { 0x4D, 0x4D, 0, 0x2B, 0, 8, 0, 0 }, RasterFormat.Tiff)]
    [InlineData(new byte[] { 0x25, 0x50, 0x44, 0x46, 0, 0, 0, 0 }, RasterFormat.Unknown)]
    [InlineData(new byte[] { 0x42 }, RasterFormat.Unknown)]
    public void RasterFormatSniffer_Detect_RecognisesMagicBytes(byte[] header, RasterFormat expected)
    {
        Assert.Equal(expected, RasterFormatSniffer.Detect(header));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"sensor\":\"x\"}")]
    [InlineData("{\"acquiredAt\":\"2026-01-01T00:00:00Z\",\"groundSampleDistance\":-1}")]
    [InlineData("{\"acquiredAt\":\"2026-01-01T00:00:00Z\",\"bounds\":{\"epsg\":4326,\"minX\":1,\"minY\":0,\"maxX\":0,\"maxY\":1}}")]
    public void SidecarReader_Parse_InvalidSidecar_ThrowsInvalidSidecar(string json)
    {
        var ex = Assert.Throws<RejectedInputException>(() => SidecarReader.Parse(System.Text.Encoding.UTF8.GetBytes(json)));

        Assert.Equal(RejectionCode.InvalidSidecar, ex.Code);
    }

    [Fact]
    public void PipelineJson_ParseMessage_UnknownVersion_ThrowsInvalidMessage()
    {
        var ex = Assert.Throws<RejectedInputException>(() =>
            PipelineJson.ParseMessage<Messages.SceneIngestMessage>("""{"version":9,"blobName":"a/b","length":1}""", 1, m => m.Version));

        Assert.Equal(RejectionCode.InvalidMessage, ex.Code);
    }

    [Fact]
    public void PipelineOptions_OddOverlap_FailsValidationNamingTheSetting()
    {
        var options = new PipelineOptions { TileOverlap = 33 };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("TileOverlap", StringComparison.Ordinal));
    }
}

public sealed class PipelineJsonTests
{
    [Fact]
    public void Serialize_AoiGridWithoutGeoreference_ReadsBack()
    {
        var grid = new AoiGrid("a", 256, 32, null, 300, 200);

        var back = System.Text.Json.JsonSerializer.Deserialize<AoiGrid>(PipelineJson.Serialize(grid), PipelineJson.Options);

        Assert.Equal(grid, back);
    }

    [Fact]
    public void Serialize_SceneRecordWithNullables_ReadsBack()
    {
        var scene = new SceneRecord
        {
            Id = SceneId.FromSha256(new string('c', 64)), Aoi = "a", Sha256 = new string('c', 64), BlobName = "a/x.png", Length = 10,
            Width = 3, Height = 2, BandCount = 3, Format = RasterFormat.Png, Metadata = new SceneMetadata { AcquiredAt = DateTimeOffset.UnixEpoch },
            Placement = new ScenePlacement(0, 0, 3, 2),
        };

        var back = System.Text.Json.JsonSerializer.Deserialize<SceneRecord>(PipelineJson.Serialize(scene), PipelineJson.Options)!;

        Assert.Equal(scene with { Metadata = back.Metadata }, back);
        Assert.Null(back.BaselineId);
        Assert.Null(back.GeoReference);
    }
}

public sealed class PixelWindowTests
{
    [Theory]
    [InlineData(0, 0, 10, 10, 5, 5, 10, 10, 5, 5, 5, 5)]
    [InlineData(0, 0, 10, 10, 10, 0, 5, 5, 10, 0, 0, 5)]
    [InlineData(-5, -5, 10, 10, 0, 0, 3, 3, 0, 0, 3, 3)]
    public void Intersect_TwoWindows_IsTheSharedPixels(int ax, int ay, int aw, int ah, int bx, int by, int bw, int bh, int x, int y, int w, int h)
    {
        var shared = new PixelWindow(ax, ay, aw, ah).Intersect(new PixelWindow(bx, by, bw, bh));

        Assert.Equal(new PixelWindow(x, y, w, h), shared);
    }

    [Fact]
    public void ClipTo_WindowPastTheEdge_KeepsOnlyTheInside()
    {
        Assert.Equal(new PixelWindow(90, 0, 10, 20), new PixelWindow(90, -10, 30, 30).ClipTo(100, 50));
    }
}
