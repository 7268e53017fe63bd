namespace ChangeWatch.Reporting;

/// <summary>A report's images as already encoded PNG files, for re-rendering its text files.</summary>
/// <param name="OverviewPng">The bytes of <c>overview.png</c>, or null.</param>
/// <param name="Chips">Before and after chip PNGs by site id; a site missing here shows "no chips".</param>
public sealed record EncodedReportImages(byte[]? OverviewPng, IReadOnlyDictionary<string, EncodedChips> Chips);

/// <summary>A site's chip PNGs.</summary>
/// <param name="Before">Bytes of the baseline chip.</param>
/// <param name="After">Bytes of the new scene's chip.</param>
public sealed record EncodedChips(byte[] Before, byte[] After);
