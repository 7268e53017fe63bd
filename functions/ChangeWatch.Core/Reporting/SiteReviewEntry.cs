namespace ChangeWatch.Core.Reporting;

/// <summary>An analyst's verdict on a site, as the report shows it.</summary>
/// <param name="Verdict">"confirmed", "rejected" or "uncertain".</param>
/// <param name="Analyst">Who reviewed (untrusted text).</param>
/// <param name="At">When.</param>
/// <param name="Note">Free text (untrusted), or null.</param>
public sealed record SiteReviewEntry(string Verdict, string Analyst, DateTimeOffset At, string? Note);
