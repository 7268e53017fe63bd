using System.Buffers;

namespace ChangeWatch.Core.Domain;

/// <summary>
/// Validates the names that come from providers (AOI names, file names inside blob paths) so that they can be
/// used as blob name segments and table keys without ever being trusted as file-system paths.
/// </summary>
public static class AoiName
{
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    /// <summary>Largest accepted AOI name length.</summary>
    public const int MaxLength = 63;

    /// <summary>True when <paramref name="aoi"/> is 1-63 characters of letters, digits, '-' or '_'.</summary>
    public static bool IsValid(string? aoi) =>
        !string.IsNullOrEmpty(aoi) && aoi.Length <= MaxLength && !aoi.AsSpan().ContainsAnyExcept(Allowed);

    /// <summary>Throws <see cref="RejectedInputException"/> with <see cref="RejectionCode.InvalidName"/> when invalid.</summary>
    public static string Require(string? aoi) =>
        IsValid(aoi)
            ? aoi!
            : throw new RejectedInputException(RejectionCode.InvalidName,
                "AOI names are 1-63 characters of letters, digits, '-' and '_'.");
}
