namespace ChangeWatch.Core.Domain;

/// <summary>An analyst's verdict on a site. Written lower-case ("confirmed", "rejected", "uncertain").</summary>
public enum ReviewVerdict
{
    /// <summary>The change is real and of interest.</summary>
    Confirmed,

    /// <summary>No change of interest (false alarm).</summary>
    Rejected,

    /// <summary>The analyst cannot tell from the evidence.</summary>
    Uncertain,
}
