using ChangeWatch.Core.Reporting;

namespace ChangeWatch.Core.Ports;

/// <summary>Turns a report model and its image evidence into the files of <c>reports/{aoi}/{sceneId}/</c>.</summary>
public interface IReportRenderer
{
    /// <summary>
    /// Renders <c>report.json</c>, <c>report.html</c> (self-contained, provider strings escaped), <c>overview.png</c> and
    /// <c>chips/*.png</c>. Paths in the result are relative to the report folder.
    /// </summary>
    IReadOnlyList<ReportFile> Render(ReportModel report, ReportImagery imagery);
}

/// <summary>A rendered file: path relative to the report folder, content type, bytes.</summary>
public sealed record ReportFile(string RelativePath, string ContentType, ReadOnlyMemory<byte> Content);
