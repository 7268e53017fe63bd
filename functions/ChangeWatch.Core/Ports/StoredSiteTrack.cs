using ChangeWatch.Core.Domain;

namespace ChangeWatch.Core.Ports;

/// <summary>A track as stored, with the version to give back when replacing it (optimistic concurrency: an ETag).</summary>
/// <param name="Track">The track.</param>
/// <param name="Version">Opaque version of the stored row.</param>
public sealed record StoredSiteTrack(SiteTrack Track, string Version);
