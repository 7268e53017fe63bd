using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Training.Modelling;

namespace ChangeWatch.Detection.Tests;

public sealed class VehicleDensityNetworkTests
{
    /// <summary>A reference written by torch (ml-models/density/reference_fixture.py: a random network of the same layer kinds, seed 7).</summary>
    private sealed record Reference(string[] Layers, int Width, int Height, double Gsd, int[] Rgb, float[] Weights, float[] Density, int CellsWide, int CellsHigh);

    private static Reference LoadReference(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "tests", "ChangeWatch.Detection.Tests", "Fixtures", name);
            if (File.Exists(path))
            {
                return JsonSerializer.Deserialize<Reference>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
            }
        }

        throw new FileNotFoundException($"{name} not found above the test binaries.");
    }

    private static byte[] Bytes(IEnumerable<float> values)
    {
        var list = values.ToList();
        var bytes = new byte[4 * list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), list[i]);
        }

        return bytes;
    }

    [Theory]
    [InlineData("density-network-reference.json")] // 4 channels: four output channels a pass
    [InlineData("density-network-reference-wide.json")] // 8 and 16 channels: eight a pass, and a remainder of pixels
    public void Density_MatchesTorchOnTheReferenceNetwork(string fixture)
    {
        // Same zero padding, dilation, pooling (odd sizes floored) and leaky ReLU as torch: the trainer's network is the
        // pipeline's. Tolerance 1e-5 absolute (float sums in another order, fused multiply-adds).
        var reference = LoadReference(fixture);
        var network = VehicleDensityNetwork.Create(reference.Layers, Bytes(reference.Weights));

        var density = network.Density(reference.Rgb.Select(v => (byte)v).ToArray(), reference.Width, reference.Height, reference.Gsd, out var wide, out var high);

        Assert.Equal((reference.CellsWide, reference.CellsHigh), (wide, high));
        for (var i = 0; i < density.Length; i++)
        {
            Assert.True(Math.Abs(density[i] - reference.Density[i]) < 1e-5, $"cell {i}: {density[i]} vs torch {reference.Density[i]}");
        }
    }

    /// <summary>A network that passes the red input through: one 3 × 3 convolution (red × weight at the centre tap, or all nine taps), two pools, out = channel 0.</summary>
    private static VehicleDensityNetwork RedNetwork(int dilation, bool allTaps)
    {
        var conv = new float[4 * 4 * 9];
        for (var t = 0; t < 9; t++)
        {
            conv[t] = allTaps || t == 4 ? 1f : 0f;
        }

        return VehicleDensityNetwork.Create([$"conv 4 4 {dilation}", "pool", "pool", "out 4"], Bytes([.. conv, 0, 0, 0, 0, 1, 0, 0, 0, 0]));
    }

    [Fact]
    public void Density_DilatedKernel_ReachesTwoPixelsAwayAndPadsWithZeros()
    {
        // One lit pixel at (9, 9) of a 16 × 16 image; a dilation-2 kernel of nine ones lights (7 | 9 | 11, 7 | 9 | 11),
        // i.e. after two 2 × 2 pools cells (1 | 2, 1 | 2); at (1, 1) the taps at −1 fall in the zero padding.
        var rgb = new byte[3 * 16 * 16];
        rgb[3 * (9 * 16 + 9)] = 255;
        var density = RedNetwork(2, allTaps: true).Density(rgb, 16, 16, 1, out var wide, out _);

        var lit = Enumerable.Range(0, density.Length).Where(i => density[i] != 0).Select(i => (i % wide, i / wide)).ToHashSet();
        Assert.Equal(new HashSet<(int, int)> { (1, 1), (2, 1), (1, 2), (2, 2) }, lit);
        Assert.All(density.Where(v => v != 0), v => Assert.Equal(1f, v, 6));

        rgb.AsSpan().Clear();
        rgb[3 * (1 * 16 + 1)] = 255;
        density = RedNetwork(2, allTaps: true).Density(rgb, 16, 16, 1, out wide, out _);
        Assert.Equal(1f, density[0], 6);
        Assert.Equal(new[] { 0 }, Enumerable.Range(0, density.Length).Where(i => density[i] != 0));
    }

    [Fact]
    public void Density_OfATile_ReadsBrightnessScaledBytesAndCountSumsTheCoreCellsAtLeastZero()
    {
        // A 32 × 32 tile of grey 60 with one pixel of 90 (no data elsewhere in a corner): the input is scaled so the mean
        // brightness is 120; the red pass-through network gives each 4 × 4 cell its brightest level / 255.
        var data = Enumerable.Repeat(60f, 3 * 32 * 32).ToArray();
        for (var b = 0; b < 3; b++)
        {
            data[b * 1024 + 20 * 32 + 22] = 90f;
            data[b * 1024] = float.NaN;
        }

        var tile = new TileRaster(32, 32, 3, data);
        var bytes = new byte[3 * 1024];
        VehicleDensityNetwork.InputBytes(tile, bytes);
        var network = RedNetwork(1, allTaps: false);

        var density = network.Density(tile, 1, out var wide, out var high);

        Assert.Equal((8, 8), (wide, high));
        Assert.Equal(0, bytes[0]);
        var grey = bytes[3];
        Assert.InRange(grey, 119, 121);
        Assert.InRange((int)bytes[3 * (20 * 32 + 22)], (3 * grey / 2) - 1, (3 * grey / 2) + 1);
        Assert.Equal(bytes[3 * (20 * 32 + 22)] / 255f, density[5 * 8 + 5], 6);
        Assert.Equal(grey / 255f, density[0], 6);

        // Cells whose centres (4i + 2) lie in the core: x, y in [8, 24) → cells 2..5 each way, 16 cells.
        var core = new PixelWindow(8, 8, 16, 16);
        var expected = Enumerable.Range(2, 4).SelectMany(j => Enumerable.Range(2, 4).Select(i => (double)density[j * 8 + i])).Sum();
        Assert.Equal(expected, network.Count(tile, 1, core), 5);

        var negative = VehicleDensityNetwork.Create(["conv 4 4 1", "pool", "pool", "out 4"], Bytes([.. new float[4 * 4 * 9], 0, 0, 0, 0, 0, 0, 0, 0, -1]));
        Assert.Equal(0, negative.Count(tile, 1, core));
    }

    [Theory]
    [InlineData(new[] { "conv 4 4 1", "pool", "pool", "out 4" }, 1, "weights hold")]
    [InlineData(new[] { "conv 4 4 1", "pool", "pool", "out 4" }, -1, "shorter")]
    [InlineData(new[] { "conv 3 4 1", "pool", "pool", "out 4" }, 0, "reads 3 channels")]
    [InlineData(new[] { "conv 4 4 1", "pool", "out 4" }, 0, "two 'pool'")]
    [InlineData(new[] { "conv 4 4 1", "pool", "pool", "out 4", "pool" }, 0, "last")]
    [InlineData(new[] { "conv 4 4 x", "pool", "pool", "out 4" }, 0, "is not")]
    [InlineData(new[] { "dense 4", "pool", "pool", "out 4" }, 0, "is not")]
    public void Create_MalformedLayersOrWeights_AreRefused(string[] layers, int extraFloats, string reason)
    {
        var count = 4 * 4 * 9 + 4 + 4 + 1 + extraFloats;
        var error = Assert.Throws<InvalidDataException>(() => VehicleDensityNetwork.Create(layers, Bytes(new float[Math.Max(0, count)])));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    /// <summary>A density-counting model folder: objects-v3's ensembles and the red pass-through network, assembled by train-counter's code.</summary>
    private static string DensityModel(string? afterUnit)
    {
        var network = Directory.CreateTempSubdirectory("cw-density-").FullName;
        var folder = Path.Combine(network, "model");
        var conv = new float[4 * 4 * 9];
        conv[4] = 1f;
        File.WriteAllBytes(Path.Combine(network, VehicleCountModel.DensityFile), Bytes([.. conv, 0, 0, 0, 0, 1, 0, 0, 0, 0]));
        File.WriteAllText(Path.Combine(network, DensityCounterTraining.LayersFile), """["conv 4 4 1", "pool", "pool", "out 4"]""");
        DensityCounterTraining.Run(folder, "density-test", VehicleCountModelTests.ModelFolder("objects-v3"), network, afterUnit, TextWriter.Null);
        return folder;
    }

    [Fact]
    public void Load_DensityModel_CountsEachDateByTheNetworkAndHashesIt()
    {
        var folder = DensityModel(VehicleCountModel.DensityUnit);
        try
        {
            var model = VehicleCountModel.Load(folder);
            Assert.NotNull(model.Density);
            Assert.True(model.CountsAfterByDensity);
            Assert.False(model.CountsKeypoints);

            // Counted by the network, date by date: the red pass-through network sums each core cell's brightest level / 255.
            var before = new TileRaster(64, 64, 3, Enumerable.Repeat(100f, 3 * 64 * 64).ToArray());
            var after = new TileRaster(64, 64, 3, Enumerable.Repeat(100f, 3 * 64 * 64).ToArray());
            var counts = ObjectCounter.Count(before, after, 1.0, 16, model)!;
            var expected = (int)Math.Round(model.Density!.Count(before, 1.0, new PixelWindow(16, 16, 32, 32)));
            Assert.Equal(new ObjectCounts(expected, expected), counts);

            // The weights are part of the SHA-256.
            var weights = File.ReadAllBytes(Path.Combine(folder, VehicleCountModel.DensityFile));
            weights[^1] ^= 1;
            File.WriteAllBytes(Path.Combine(folder, VehicleCountModel.DensityFile), weights);
            Assert.Contains("SHA-256", Assert.Throws<InvalidDataException>(() => VehicleCountModel.Load(folder)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public void Count_DensityWhereArrivals_ReadsTheAfterImageOnlyInTilesWhereVehiclesArrive()
    {
        var (whereFolder, changeFolder) = (DensityModel(VehicleCountModel.DensityWhereArrivalsUnit), DensityModel(afterUnit: null));
        try
        {
            var (where, byChange) = (VehicleCountModel.Load(whereFolder), VehicleCountModel.Load(changeFolder));
            Assert.True(where.CountsAfterByDensityWhereArrivals);
            Assert.False(where.CountsAfterByDensity);
            Assert.NotEqual(where.Sha256, byChange.Sha256);

            // The red pass-through network reads a bright square (20 m across at 0.5 m: no vehicle) as more in the after image.
            var before = Some.WithDarkRectangles(ObjectCounterTests.Ground(), ObjectCounterTests.Parked, w: 4, h: 9);
            var brighter = Some.Map(before, v => v);
            for (var y = 180; y < 220; y++)
            {
                brighter.Row(0, y).Slice(180, 40).Fill(250f);
            }

            var core = new PixelWindow(0, 0, 256, 256);
            var networkAfter = (int)Math.Round(where.Density!.Count(brighter, 0.5, core));
            var noArrivals = ObjectCounter.Count(before, brighter, 0.5, 0, byChange)!;
            Assert.Equal(noArrivals.Before, noArrivals.After);
            Assert.True(networkAfter > noArrivals.After);
            Assert.Equal(noArrivals, ObjectCounter.Count(before, brighter, 0.5, 0, where));

            // Six cars arrive too: that tile's after count is the network's, the larger.
            var arriving = Some.WithDarkRectangles(brighter, ObjectCounterTests.Arriving, w: 4, h: 9);
            var changeOnly = ObjectCounter.Count(before, arriving, 0.5, 0, byChange)!;
            Assert.True(changeOnly.After > changeOnly.Before);
            var counts = ObjectCounter.Count(before, arriving, 0.5, 0, where)!;
            Assert.Equal(changeOnly.Before, counts.Before);
            Assert.Equal((int)Math.Round(where.Density.Count(arriving, 0.5, core)), counts.After);
            Assert.True(counts.After > changeOnly.After);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(whereFolder)!, recursive: true);
            Directory.Delete(Path.GetDirectoryName(changeFolder)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("afterUnit", "keypoints", "after unit")]
    [InlineData("beforeUnit", "keypoints", VehicleCountModel.KeypointFile)]
    [InlineData("densityLayers", null, "layers")]
    public void Load_DensityManifestInconsistent_IsRefused(string field, string? value, string reason)
    {
        var folder = DensityModel(afterUnit: null);
        try
        {
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "model.json")))!.AsObject();
            manifest[field] = value;
            File.WriteAllText(Path.Combine(folder, "model.json"), manifest.ToJsonString());

            var error = Assert.Throws<InvalidDataException>(() => VehicleCountModel.Load(folder));

            Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public void Shipped_CountsByDensityWhereArrivals_AsItsManifestSays()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(VehicleCountModelTests.ModelFolder(), "model.json")))!;
        var shipped = VehicleCountModel.Shipped;

        Assert.Equal(VehicleCountModel.DensityUnit, (string?)manifest["beforeUnit"]);
        Assert.Equal(VehicleCountModel.DensityWhereArrivalsUnit, (string?)manifest["afterUnit"]);
        Assert.NotNull(shipped.Density);
        Assert.True(shipped.CountsAfterByDensityWhereArrivals);
        Assert.False(shipped.CountsAfterByDensity);
        Assert.False(shipped.CountsKeypoints);
        Assert.True(shipped.GatesDepartures);
        Assert.Equal(ArrivalGate.DirectionOrMixed, shipped.ArrivalGate);

        // objects-v3's ensembles, byte for byte.
        foreach (var file in VehicleCountModel.Files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(VehicleCountModelTests.ModelFolder("objects-v3"), file)), File.ReadAllBytes(Path.Combine(VehicleCountModelTests.ModelFolder(), file)));
        }
    }

    [Fact]
    public void Load_DensityWeightsWithoutDensityUnit_AreRefused()
    {
        var folder = Directory.CreateTempSubdirectory("cw-counter-").FullName;
        try
        {
            foreach (var file in VehicleCountModel.Files.Append("model.json").Append(VehicleCountModel.KeypointFile))
            {
                File.Copy(Path.Combine(VehicleCountModelTests.ModelFolder("objects-v3"), file), Path.Combine(folder, file));
            }

            File.WriteAllBytes(Path.Combine(folder, VehicleCountModel.DensityFile), new byte[16]);

            var error = Assert.Throws<InvalidDataException>(() => VehicleCountModel.Load(folder));

            Assert.Contains(VehicleCountModel.DensityFile, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
