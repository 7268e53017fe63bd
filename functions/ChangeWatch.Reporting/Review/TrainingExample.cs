using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using ChangeWatch.Core.Domain;
using ChangeWatch.Core.Imaging;

namespace ChangeWatch.Reporting.Review;

/// <summary>
/// One analyst verdict as a labelled training example for <c>ml-models/</c>: a line of JSON (<see cref="ToJsonLine"/>)
/// with the scene and its baseline, the site, its tiles and bounds, the verdict and its label (1 confirmed, 0 rejected,
/// null uncertain), who gave it and when, the model that flagged the site, and the site's object counts (null when not
/// measured; lines written before counts existed read back with null).
/// </summary>
/// <param name="Scene">Scene id.</param>
/// <param name="Baseline">Baseline scene id, or null.</param>
/// <param name="Aoi">AOI.</param>
/// <param name="Site">Site id within the scene's report.</param>
/// <param name="Tiles">The site's tile ids on the AOI grid.</param>
/// <param name="SceneBounds">The site's box, scene pixels.</param>
/// <param name="GridBounds">The site's box, AOI grid pixels.</param>
/// <param name="Verdict">"confirmed", "rejected" or "uncertain".</param>
/// <param name="Label">1 for confirmed (change of interest), 0 for rejected, null for uncertain.</param>
/// <param name="Analyst">Who gave the verdict.</param>
/// <param name="Note">The analyst's note, or null.</param>
/// <param name="Time">When.</param>
/// <param name="Probability">The model's probability for the site.</param>
/// <param name="ChangeType">The model's change type.</param>
/// <param name="ModelVersion">Model version that flagged the site.</param>
/// <param name="ModelSha256">Its SHA-256.</param>
/// <param name="ObjectsBefore">Objects counted on the site in the baseline, or null when not measured.</param>
/// <param name="ObjectsAfter">Objects counted on the site in the scene, or null when not measured.</param>
public sealed record TrainingExample(
    string Scene, string? Baseline, string Aoi, string Site, IReadOnlyList<string> Tiles, PixelWindow SceneBounds, PixelWindow GridBounds,
    string Verdict, int? Label, string Analyst, string? Note, DateTimeOffset Time, double Probability, string? ChangeType,
    string? ModelVersion, string? ModelSha256, int? ObjectsBefore = null, int? ObjectsAfter = null)
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>The example of a recorded review.</summary>
    public static TrainingExample From(SiteReview review)
    {
        ArgumentNullException.ThrowIfNull(review);
        return new TrainingExample(
            review.SceneId.Value, review.BaselineId?.Value, review.Aoi, review.SiteId, review.Tiles, review.SceneBounds, review.GridBounds,
            ReportReviewer.VerdictWord(review.Verdict),
            review.Verdict switch { ReviewVerdict.Confirmed => 1, ReviewVerdict.Rejected => 0, _ => null },
            review.Analyst, review.Note, review.At, review.Probability, review.ChangeType, review.ModelVersion, review.ModelSha256,
            review.Objects?.Before, review.Objects?.After);
    }

    /// <summary>One line of JSON (camelCase, no line breaks), without the newline.</summary>
    public string ToJsonLine() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads a line written by <see cref="ToJsonLine"/>.</summary>
    public static TrainingExample? Parse(string line) => JsonSerializer.Deserialize<TrainingExample>(line, Options);

    private static JsonSerializerOptions CreateOptions()
    {
        // Pixel windows as {x, y, width, height}: their derived values (area, isEmpty) are left out, as in report.json.
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(info =>
        {
            if (info.Type == typeof(PixelWindow) && info.Kind == JsonTypeInfoKind.Object)
            {
                for (var i = info.Properties.Count - 1; i >= 0; i--)
                {
                    if (info.Properties[i].Set is null)
                    {
                        info.Properties.RemoveAt(i);
                    }
                }
            }
        });
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = false,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
            TypeInfoResolver = resolver,
        };
        options.MakeReadOnly();
        return options;
    }
}
