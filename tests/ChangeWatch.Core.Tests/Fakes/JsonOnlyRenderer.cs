using System.Text;
using ChangeWatch.Core.Pipeline;
using ChangeWatch.Core.Ports;
using ChangeWatch.Core.Reporting;

namespace ChangeWatch.Core.Tests.Fakes;

/// <summary>Renders only report.json (the model as pipeline JSON) and records what it was given.</summary>
public sealed class JsonOnlyRenderer : IReportRenderer
{
    public List<(ReportModel Model, ReportImagery Imagery)> Rendered { get; } = [];

    public IReadOnlyList<ReportFile> Render(ReportModel report, ReportImagery imagery)
    {
        lock (Rendered)
        {
            Rendered.Add((report, imagery));
        }

        return [new ReportFile(ReportPaths.Json, "application/json", Encoding.UTF8.GetBytes(PipelineJson.Serialize(report)))];
    }
}

/// <summary>Map coordinates returned as latitude = y / 1e5, longitude = x / 1e5 for every EPSG code.</summary>
public sealed class ScaledGeoLocator : IGeoLocator
{
    public bool TryToWgs84(int epsg, double x, double y, out double latitude, out double longitude)
    {
        latitude = y / 1e5;
        longitude = x / 1e5;
        return true;
    }
}
