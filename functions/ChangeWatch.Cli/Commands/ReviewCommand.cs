using System.CommandLine;
using ChangeWatch.Core.Domain;
using ChangeWatch.Reporting.Review;

namespace ChangeWatch.Cli.Commands;

/// <summary><c>changewatch review &lt;sceneId&gt; &lt;siteId&gt; --verdict confirmed|rejected|uncertain --analyst NAME [--note TEXT]</c>.</summary>
public static class ReviewCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var scene = new Argument<string>("sceneId") { Description = "Scene id (16 hex characters), as in the report." };
        var site = new Argument<string>("siteId") { Description = "Site id within the report (e.g. S1) or the site's track id (e.g. 9c41d2e07a55b310-S2)." };
        var verdict = new Option<ReviewVerdict>("--verdict") { Description = "confirmed, rejected or uncertain.", Required = true };
        var analyst = new Option<string>("--analyst") { Description = "Who reviewed the site.", Required = true };
        var note = new Option<string?>("--note") { Description = "Free-text note kept with the verdict." };
        var command = new Command("review",
            "Record an analyst's verdict on a site: Table reviews, custody 'reviewed', the report re-rendered with the site's status and announced again on reports-ready.")
        {
            scene, site, verdict, analyst, note,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            SceneId sceneId;
            try
            {
                sceneId = SceneId.Parse(parse.GetRequiredValue(scene).Trim().ToLowerInvariant());
            }
            catch (RejectedInputException)
            {
                Console.Error.WriteLine($"Not a scene id (16 hex characters): {parse.GetRequiredValue(scene)}");
                return 1;
            }

            var storage = new StorageSession(CliConfiguration.Build());
            try
            {
                var report = await new ReportReviewer(storage.Blobs, storage.Catalog, storage.Queues, TimeProvider.System).ReviewAsync(
                    sceneId, parse.GetRequiredValue(site), parse.GetValue(verdict), parse.GetRequiredValue(analyst), parse.GetValue(note), cancellationToken);
                var named = parse.GetRequiredValue(site);
                var reviewed = report.Sites.First(s =>
                    string.Equals(s.Id, named, StringComparison.OrdinalIgnoreCase) || string.Equals(s.TrackId, named, StringComparison.OrdinalIgnoreCase));
                Console.WriteLine($"site      {reviewed.Id}{(reviewed.TrackId is null ? string.Empty : $" (track {reviewed.TrackId})")} {reviewed.Status} by {reviewed.Review!.Analyst}");
                Console.WriteLine($"report    reports/{report.Aoi}/{report.Scene.SceneId}/report.html ({report.Status})");
                Console.WriteLine($"announced reports-ready ({report.Status})");
                return 0;
            }
            catch (ReviewException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        });
        return command;
    }
}
