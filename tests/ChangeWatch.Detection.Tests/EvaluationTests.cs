using ChangeWatch.Core.Imaging;
using ChangeWatch.Imaging.GeoTiff;
using ChangeWatch.Training.Evaluation;
using ChangeWatch.Training.RealData;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ChangeWatch.Detection.Tests;

public sealed class EvaluationTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cw-eval-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void ReadSztaki_FolderTwoLevelsDeepWithUpperCaseExtension_FindsThePair()
    {
        var folder = Path.Combine(_root, "Region", "Pair1");
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory(Path.Combine(_root, "empty"));
        SaveRgb(Path.Combine(folder, "im1.bmp"), 20, 10, (x, y) => 50);
        SaveRgb(Path.Combine(folder, "IM2.BMP"), 20, 10, (x, y) => 60);
        SaveGrey(Path.Combine(folder, "gt.bmp"), 20, 10, (x, y) => x < 5 ? (byte)255 : x < 10 ? (byte)100 : (byte)0);

        var pairs = ChangeDatasetReader.Read(_root, "sztaki");

        var pair = Assert.Single(pairs);
        Assert.Equal("Region/Pair1", pair.Site);
        Assert.Equal((20, 10, 3), (pair.Width, pair.Height, pair.Bands));
        Assert.Equal(50, pair.Truth.Sum(t => t)); // grey 100 is below the > 127 rule
        Assert.Equal(60f, pair.After[0]);
    }

    [Fact]
    public void ReadLevir_CropsOfOneImage_ShareASite()
    {
        foreach (var sub in new[] { "A", "B", "label" })
        {
            Directory.CreateDirectory(Path.Combine(_root, sub));
            foreach (var name in new[] { "test_2_0000_0000", "test_2_0000_0512", "val_9_0256_0000" })
            {
                var path = Path.Combine(_root, sub, name + ".png");
                if (sub == "label")
                {
                    SaveGrey(path, 16, 16, (x, y) => y < 4 ? (byte)255 : (byte)0);
                }
                else
                {
                    SaveRgb(path, 16, 16, (x, y) => (byte)(x * 10));
                }
            }
        }

        var pairs = ChangeDatasetReader.Read(_root, "levir");

        Assert.Equal(["test_2", "test_2", "val_9"], pairs.Select(p => p.Site));
        Assert.All(pairs, p => Assert.Equal(64, p.Truth.Sum(t => t)));
        Assert.All(pairs, p => Assert.Equal(0.5, p.GroundSampleDistance));
        Assert.All(ChangeDatasetReader.Read(_root, "levir", groundSampleDistance: 0.3), p => Assert.Equal(0.3, p.GroundSampleDistance));
    }

    [Fact]
    public void ReadOscd_Date2OnAShiftedGrid_IsAlignedByGeoreferencing()
    {
        var city = Path.Combine(_root, "town");
        foreach (var d in new[] { "imgs_1", "imgs_2", "cm" })
        {
            Directory.CreateDirectory(Path.Combine(city, d));
        }

        var gt1 = new GeoTransform(10.0, 1.0, 0, 50.0, 0, -1.0);
        var gt2 = gt1 with { OriginX = 8.0, OriginY = 51.0 }; // date 2 starts 2 columns left, 1 row up
        foreach (var band in new[] { "B02", "B03", "B04", "B08" })
        {
            WriteTiff(Path.Combine(city, "imgs_1", $"S2_{band}.tif"), 12, 8, gt1, (x, y) => 1000 + 10 * x + y);
            WriteTiff(Path.Combine(city, "imgs_2", $"S2_{band}.tif"), 14, 9, gt2, (x, y) => 1000 + 10 * (x - 2) + (y - 1));
        }

        WriteTiff(Path.Combine(city, "cm", "town-cm.tif"), 12, 8, gt1, (x, y) => x == 3 ? 2 : 1);

        var pair = Assert.Single(ChangeDatasetReader.Read(_root, "oscd"));

        Assert.Equal((12, 8, 4), (pair.Width, pair.Height, pair.Bands));
        Assert.Equal(10.0, pair.GroundSampleDistance);
        Assert.Equal(pair.Before, pair.After);
        Assert.Equal(8, pair.Truth.Sum(t => t));
    }

    [Fact]
    public void Add_ConstructedMasks_GivesExpectedPixelAndCellCounts()
    {
        // 128 × 64: two cells. Left cell: 100 changed pixels (2.4 %), predicted exactly. Right cell: 30 changed pixels
        // (0.7 %, below 1 % and no 64-px blob: not a changed cell), 50 predicted elsewhere (1.2 %: a false cell).
        var truth = new byte[128 * 64];
        var predicted = new byte[128 * 64];
        for (var i = 0; i < 100; i++)
        {
            truth[(i / 10) * 128 + i % 10] = 1;
            predicted[(i / 10) * 128 + i % 10] = 1;
        }

        for (var i = 0; i < 30; i++)
        {
            truth[40 * 128 + 64 + i] = 1;
        }

        for (var i = 0; i < 50; i++)
        {
            predicted[60 * 128 + 64 + i] = 1;
        }

        var pair = new ChangePair("t", "s", "s", 128, 64, 1, new float[128 * 64], new float[128 * 64], truth);
        var scoring = new ChangeScoring();

        scoring.Add(pair, predicted, predicted.Select(p => (float)p).ToArray());

        Assert.Equal((100L, 50L, 30L), (scoring.Pixels.TruePositives, scoring.Pixels.FalsePositives, scoring.Pixels.FalseNegatives));
        Assert.Equal(100.0 / 130, scoring.Pixels.Recall, 9);
        Assert.Equal((1L, 1L, 0L), (scoring.Cells.TruePositives, scoring.Cells.FalsePositives, scoring.Cells.FalseNegatives));
        Assert.Equal(2.0 / 3, scoring.TrivialCells.F1, 9);
    }

    [Fact]
    public void Add_BlobOf64PixelsInAPartialCell_CountsTheCellChanged()
    {
        // A 100 × 100 image: the bottom-right cell is 36 × 36 = 1296 px; a compact 8 × 8 blob is 4.9 % of it.
        // The bottom-left cell (64 × 36) holds 20 scattered changed pixels (0.87 %): not changed.
        var truth = new byte[100 * 100];
        for (var y = 70; y < 78; y++)
        {
            for (var x = 70; x < 78; x++)
            {
                truth[y * 100 + x] = 1;
            }
        }

        for (var i = 0; i < 20; i++)
        {
            truth[(66 + (i % 2) * 20) * 100 + i * 3] = 1;
        }

        var pair = new ChangePair("t", "s", "s", 100, 100, 1, new float[10000], new float[10000], truth);
        var scoring = new ChangeScoring();

        scoring.Add(pair, new byte[10000], []);

        Assert.Equal(1L, scoring.Cells.FalseNegatives);
        Assert.Equal(4L, scoring.TrivialCells.TruePositives + scoring.TrivialCells.FalsePositives);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v5")]
    public void TypeModelVersion_ShippedTileAndPixelModels_IsTheTypeModelThePipelineClassifiesWith(string version)
    {
        var scorer = ChangeScorerFactory.Create(Some.ModelDirectory(), version);

        Assert.Equal("types-v5", SyntheticEvaluation.TypeModelVersion(scorer)); // v5 classifies with its cascade's tile model v1's
    }

    [Fact]
    public void MeanFigures_ThreeSeeds_AveragesEachFigureAndListsPixelF1AndAucPerSeed()
    {
        List<Dictionary<string, object>> runs =
        [
            new() { ["pixel_f1"] = 0.5, ["cell_auc"] = 0.8 },
            new() { ["pixel_f1"] = 0.6, ["cell_auc"] = 0.9 },
            new() { ["pixel_f1"] = 0.7, ["cell_auc"] = 0.7 },
        ];

        var mean = EvalCommand.MeanFigures(runs, [4UL, 5UL, 6UL], "m");

        Assert.Equal(0.6, (double)mean["pixel_f1"], 6);
        Assert.Equal(0.8, (double)mean["cell_auc"], 6);
        Assert.Equal(new object[] { 0.5, 0.6, 0.7 }, (IEnumerable<object>)mean["pixel_f1_by_seed"]);
        Assert.Equal(new object[] { 0.8, 0.9, 0.7 }, (IEnumerable<object>)mean["cell_auc_by_seed"]);
        Assert.Equal(new ulong[] { 4, 5, 6 }, (IEnumerable<ulong>)mean["seeds"]);
    }

    [Theory]
    [InlineData("shipped", 2)]
    [InlineData("loso", 0)]
    public void Run_SeedsThatCannotApply_AreRefusedBeforeReadingData(string mode, int seeds)
    {
        var options = new EvalOptions(Path.Combine(_root, "absent"), "levir", mode, "v5", _root, _root, Json: false, new(), 1000, 1, Seeds: seeds);

        Assert.Throws<FormatException>(() => EvalCommand.Run(options, TextWriter.Null));
    }

    [Fact]
    public void RocAuc_PerfectAndReversedAndTiedRankings_GiveOneZeroAndHalf()
    {
        (double, bool)[] perfect = [(0.1, false), (0.2, false), (0.8, true), (0.9, true)];
        (double, bool)[] reversed = [(0.9, false), (0.8, false), (0.2, true), (0.1, true)];
        (double, bool)[] tied = [(0.5, false), (0.5, true)];

        Assert.Equal(1.0, ChangeScoring.RocAuc(perfect), 9);
        Assert.Equal(0.0, ChangeScoring.RocAuc(reversed), 9);
        Assert.Equal(0.5, ChangeScoring.RocAuc(tied), 9);
    }

    [Fact]
    public void Best_SeparatedProbabilities_ChoosesAThresholdBetweenThem()
    {
        var histogram = new ThresholdHistogram();
        histogram.Add([0.1f, 0.2f, 0.3f, 0.7f, 0.8f], [0, 0, 0, 1, 1], []);

        var (threshold, f1) = histogram.Best();

        Assert.Equal(1.0, f1, 9);
        Assert.InRange(threshold, 0.3001, 0.7);
    }

    private static void SaveRgb(string path, int w, int h, Func<int, int, byte> value)
    {
        using var image = new Image<Rgb24>(w, h);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var v = value(x, y);
                image[x, y] = new Rgb24(v, v, v);
            }
        }

        image.Save(path);
    }

    private static void SaveGrey(string path, int w, int h, Func<int, int, byte> value)
    {
        using var image = new Image<L8>(w, h);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                image[x, y] = new L8(value(x, y));
            }
        }

        image.Save(path);
    }

    private static void WriteTiff(string path, int w, int h, GeoTransform transform, Func<int, int, float> value)
    {
        using var stream = File.Create(path);
        GeoTiffWriter.Write(
            stream,
            new GeoTiffWriteOptions { Width = w, Height = h, BandCount = 1, SampleFormat = SampleFormat.UInt16, GeoReference = new GeoReference(4326, transform) },
            (row, band, values) =>
            {
                for (var x = 0; x < values.Length; x++)
                {
                    values[x] = value(x, row);
                }
            });
    }
}
