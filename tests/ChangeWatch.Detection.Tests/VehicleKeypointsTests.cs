using System.Text.Json.Nodes;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Training.Modelling;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ChangeWatch.Detection.Tests;

public sealed class VehicleKeypointsTests
{
    // Constructed tile at 0.5 m: cars 4.5 × 2 m (9 × 4 px, 40 units darker) on ground of 120 with ±3 units of noise.
    private static readonly (int X, int Y)[] Cars = [(30, 30), (150, 40), (60, 200), (90, 60), (200, 90), (40, 120), (130, 140), (210, 200), (120, 220)];

    private static TileRaster Ground(int size = 256, int seed = 1)
    {
        var random = new Random(seed);
        return new TileRaster(size, size, 3, Enumerable.Range(0, size * size * 3).Select(_ => 120f + (float)(random.NextDouble() * 6 - 3)).ToArray());
    }

    [Fact]
    public void Find_IsolatedCars_GivesOneKeypointOnEachAndNoneOnTheGround()
    {
        var tile = Some.WithDarkRectangles(Ground(), Cars, w: 4, h: 9);
        var model = ObjectsV3.Value;

        var keypoints = VehicleKeypoints.Find(tile, 0.5, f => model.Objects(f));

        Assert.Equal(Cars.Length, keypoints.Count);
        foreach (var (x, y) in Cars)
        {
            // A uniform car's 3 px box mean of contrast is flat inside it: the keypoint is one of its pixels.
            Assert.Single(keypoints, k => k.X >= x && k.X < x + 4 && k.Y >= y && k.Y < y + 9);
        }

        Assert.Empty(VehicleKeypoints.Find(Ground(), 0.5, f => model.Objects(f)));
        Assert.All(keypoints, k => Assert.Equal(VehicleKeypoints.FeatureCount, k.Features.Length));
    }

    [Fact]
    public void Find_WithLabels_MarksEachCarsCandidateAndGivesItsCount()
    {
        var tile = Some.WithDarkRectangles(Ground(), Cars, w: 4, h: 9);
        var model = ObjectsV3.Value;
        var labels = new int[256 * 256];

        var keypoints = VehicleKeypoints.Find(tile, 0.5, f => model.Objects(f), labels, [], out var blobCounts);

        Assert.Equal(Cars.Length, blobCounts.Length);
        foreach (var k in keypoints)
        {
            var blob = labels[k.Y * 256 + k.X];
            Assert.True(blob > 0);
            Assert.Equal(blobCounts[blob - 1], k.Features[Array.IndexOf(VehicleKeypoints.FeatureNames, "blob_count")]);
        }

        Assert.Equal(0, labels[5 * 256 + 5]);
    }

    [Fact]
    public void KeypointProbability_IsMlNetsCalibratedProbabilityOfTheKeypointEnsemble()
    {
        var tile = Some.WithDarkRectangles(Ground(seed: 3), Cars, w: 4, h: 9);
        var model = ObjectsV3.Value;
        var keypoints = VehicleKeypoints.Find(tile, 0.5, f => model.Objects(f));
        var context = new MLContext(1);
        var transformer = context.Model.Load(Path.Combine(ModelFolder(), VehicleCountModel.KeypointFile), out _);
        var engine = context.Model.CreatePredictionEngine<KeypointCounterTraining.KeypointRow, Calibrated>(transformer);

        Assert.NotEmpty(keypoints);
        foreach (var k in keypoints)
        {
            var expected = engine.Predict(new KeypointCounterTraining.KeypointRow { Features = k.Features }).Probability;
            Assert.Equal(expected, model.KeypointProbability(k.Features), 5);
        }
    }

    [Fact]
    public void ObjectsV3_CountsByKeypoints_AndGatesDepartures_AsItsManifestSays()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(ModelFolder(), "model.json")))!;

        Assert.True(ObjectsV3.Value.CountsKeypoints);
        Assert.True(ObjectsV3.Value.GatesDepartures);
        Assert.Equal(VehicleCountModel.KeypointsUnit, (string?)manifest["beforeUnit"]);
        Assert.Equal(VehicleCountModel.BeforeCandidatesGate, (string?)manifest["departureGate"]);
        var v2 = VehicleCountModel.Load(ModelFolder("objects-v2"));
        Assert.False(v2.CountsKeypoints);
        Assert.False(v2.GatesDepartures);
    }

    [Fact]
    public void HoldVehicles_BlobTouchingCandidates_SumsTheirCountsOnceEachAndLeavesTheMaskAsItWas()
    {
        // A 6 × 2 change blob (mask value 2) over two candidates: 1 (0.3 vehicles) on its left half, 2 (0.3) on its right.
        const int w = 10, h = 4;
        var mask = new byte[w * h];
        var labels = new int[w * h];
        for (var x = 2; x < 8; x++)
        {
            for (var y = 1; y < 3; y++)
            {
                mask[y * w + x] = 2;
                labels[y * w + x] = x < 5 ? 1 : 2;
            }
        }

        var before = (byte[])mask.Clone();
        var (stack, members) = (new int[w * h], new int[w * h]);

        Assert.True(new ChangeObjectCounter.BeforeCandidates(labels, [0.3f, 0.3f]).HoldVehicles(mask, w, h, 1 * w + 2, stack, members));
        Assert.False(new ChangeObjectCounter.BeforeCandidates(labels, [0.3f, 0.1f]).HoldVehicles(mask, w, h, 1 * w + 2, stack, members));
        Assert.False(new ChangeObjectCounter.BeforeCandidates(new int[w * h], [5f, 5f]).HoldVehicles(mask, w, h, 1 * w + 2, stack, members));
        Assert.Equal(before, mask);
        Assert.True(default(ChangeObjectCounter.BeforeCandidates).IsEmpty);
    }

    [Fact]
    public void ChangeCount_DepartingCars_CountAsLeftOnlyWhereTheBeforeCountsCandidatesHoldThem()
    {
        var after = Ground();
        var before = Some.WithDarkRectangles(after, Cars[..6], w: 4, h: 9);
        var model = ObjectsV3.Value;
        var labels = new int[256 * 256];
        var contrast = new float[256 * 256];
        VehicleKeypoints.Find(before, 0.5, f => model.Objects(f), labels, contrast, out var counts);
        var core = new PixelWindow(0, 0, 256, 256);

        var seen = ChangeObjectCounter.Count(before, after, 0.5, core, contrast, null, default, model, default, new ChangeObjectCounter.BeforeCandidates(labels, counts));
        var unseen = ChangeObjectCounter.Count(before, after, 0.5, core, contrast, null, default, model, default, new ChangeObjectCounter.BeforeCandidates(labels, new float[counts.Length]));
        var ungated = ChangeObjectCounter.Count(before, after, 0.5, core, contrast, null, default, model);

        Assert.Equal(6, seen.Departed);
        Assert.Equal(0, unseen.Departed);
        Assert.Equal(6, ungated.Departed);
    }

    [Theory]
    [InlineData("departureGate", "everywhere", "departure gate")]
    [InlineData("departureGate", null, "SHA-256")]
    [InlineData("keypointCalibration", "slope", "SHA-256")]
    [InlineData("beforeUnit", null, "names no before unit")]
    public void Load_ManifestWhoseKeypointOrDepartureFieldsWereChanged_IsRefused(string field, string? value, string reason)
    {
        var error = VehicleCountModelTests.LoadWithEditedManifest(version: "objects-v3", edit: manifest =>
        {
            if (value is null)
            {
                manifest.AsObject().Remove(field);
            }
            else
            {
                manifest[field] = value == "slope" ? new JsonArray(-0.25, 0.0) : value;
            }
        });

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KeypointModelWithoutItsKeypointZip_IsRefused()
    {
        var folder = Directory.CreateTempSubdirectory("cw-counter-").FullName;
        try
        {
            foreach (var file in VehicleCountModel.Files.Append("model.json"))
            {
                File.Copy(Path.Combine(ModelFolder(), file), Path.Combine(folder, file));
            }

            var error = Assert.Throws<InvalidDataException>(() => VehicleCountModel.Load(folder));

            Assert.Contains(VehicleCountModel.KeypointFile, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>ML.NET's output of a calibrated binary model.</summary>
    public sealed class Calibrated
    {
        public float Probability { get; set; }
    }

    /// <summary>objects-v3, the model that counts the before image by keypoints (objects-v4, shipped, counts by density).</summary>
    private static readonly Lazy<VehicleCountModel> ObjectsV3 = new(() => VehicleCountModel.Load(ModelFolder()));

    private static string ModelFolder(string version = "objects-v3") => VehicleCountModelTests.ModelFolder(version);
}
