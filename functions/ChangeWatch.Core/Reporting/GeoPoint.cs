namespace ChangeWatch.Core.Reporting;

/// <summary>A WGS84 point, degrees.</summary>
/// <param name="Longitude">Longitude, -180..180.</param>
/// <param name="Latitude">Latitude, -90..90.</param>
public sealed record GeoPoint(double Longitude, double Latitude);
