namespace ChangeWatch.Core.Reporting;

/// <summary>Report and site status words.</summary>
public static class ReportStatus
{
    /// <summary>Not verified by an analyst.</summary>
    public const string Candidate = "candidate";

    /// <summary>Some, not all, sites have an analyst's verdict.</summary>
    public const string PartiallyReviewed = "partially-reviewed";

    /// <summary>Every site has an analyst's verdict.</summary>
    public const string Reviewed = "reviewed";

    /// <summary>The report status that follows from its sites' verdicts (see <see cref="ReportModel.Status"/>).</summary>
    public static string FromSites(IReadOnlyList<SiteModel> sites)
    {
        ArgumentNullException.ThrowIfNull(sites);
        var reviewed = sites.Count(s => s.Review is not null);
        return reviewed == 0 ? Candidate : reviewed == sites.Count ? Reviewed : PartiallyReviewed;
    }
}
