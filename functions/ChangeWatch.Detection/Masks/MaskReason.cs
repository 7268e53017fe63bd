namespace ChangeWatch.Detection;

/// <summary>Why a pixel of one date is excluded from comparison (flags: a pixel may carry several).</summary>
[Flags]
public enum MaskReason : byte
{
    /// <summary>Not masked.</summary>
    None = 0,

    /// <summary>No data in this date (NaN in any band).</summary>
    NoData = 1,

    /// <summary>Under a cloud (or its soft edge) in this date.</summary>
    Cloud = 2,

    /// <summary>Under the shadow of a cloud of this date.</summary>
    CloudShadow = 4,
}
