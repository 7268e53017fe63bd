using System.Text.Json;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;
using ChangeWatch.Reporting.Review;

namespace ChangeWatch.Reporting.Tests;

public sealed class TrainingExampleTests
{
    private static SiteReview Review(ObjectCounts? objects) => new()
    {
        SceneId = Some.SceneId,
        Aoi = "aoi-1",
        SiteId = "S1",
        Verdict = ReviewVerdict.Confirmed,
        Analyst = "A. Analyst",
        At = new DateTimeOffset(2026, 5, 4, 8, 0, 0, TimeSpan.Zero),
        BaselineId = Some.BaselineId,
        Tiles = ["0_0"],
        SceneBounds = new PixelWindow(1, 2, 3, 4),
        GridBounds = new PixelWindow(1, 2, 3, 4),
        Probability = 0.9,
        Objects = objects,
    };

    [Fact]
    public void ToJsonLine_ReviewWithCounts_CarriesObjectsBeforeAndAfter()
    {
        using var line = JsonDocument.Parse(TrainingExample.From(Review(new ObjectCounts(2, 12))).ToJsonLine());

        Assert.Equal(2, line.RootElement.GetProperty("objectsBefore").GetInt32());
        Assert.Equal(12, line.RootElement.GetProperty("objectsAfter").GetInt32());
        Assert.Equal(1, line.RootElement.GetProperty("label").GetInt32());
    }

    [Fact]
    public void ToJsonLine_ReviewWithoutCounts_WritesNullCounts()
    {
        using var line = JsonDocument.Parse(TrainingExample.From(Review(null)).ToJsonLine());

        Assert.Equal(JsonValueKind.Null, line.RootElement.GetProperty("objectsBefore").ValueKind);
        Assert.Equal(JsonValueKind.Null, line.RootElement.GetProperty("objectsAfter").ValueKind);
    }

    [Fact]
    public void Parse_LineWrittenBeforeCountsExisted_ReadsWithNullCounts()
    {
        var line = TrainingExample.From(Review(new ObjectCounts(2, 12))).ToJsonLine()
            .Replace(",\"objectsBefore\":2,\"objectsAfter\":12", string.Empty, StringComparison.Ordinal);

        var example = TrainingExample.Parse(line)!;

        Assert.DoesNotContain("objects", line, StringComparison.Ordinal);
        Assert.Null(example.ObjectsBefore);
        Assert.Null(example.ObjectsAfter);
        Assert.Equal("S1", example.Site);
    }
}
