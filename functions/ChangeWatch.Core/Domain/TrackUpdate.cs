namespace ChangeWatch.Core.Domain;

/// <summary>What one scene does to one track: the history entry it adds, and whether it starts or ends the track.</summary>
/// <param name="TrackId">The track.</param>
/// <param name="Sighting">The entry for the scene.</param>
/// <param name="Starts">True when the scene first flags the site: the track is created with this entry.</param>
/// <param name="MergedInto">The track that continues this one from this scene on, or null.</param>
public sealed record TrackUpdate(string TrackId, SiteSighting Sighting, bool Starts, string? MergedInto);
