namespace ChangeWatch.Core.Reporting;

/// <summary>
/// Turns a calibrated probability into the fixed, ICD 203-style words analysts read, so that the same number always
/// reads the same way in every report.
/// <para>
/// Bands (lower bound inclusive, upper exclusive): below 0.05 "remote"; 0.05-0.20 "very unlikely"; 0.20-0.45
/// "unlikely"; 0.45-0.55 "roughly even chance"; 0.55-0.80 "likely"; 0.80-0.95 "very likely"; 0.95 and above
/// "almost certain".
/// </para>
/// </summary>
public static class ConfidenceWording
{
    // The model's change-type labels as analysts read them; other labels read with hyphens as spaces.
    private static readonly Dictionary<string, string> ChangeTypeWording = new(StringComparer.OrdinalIgnoreCase)
    {
        ["object-build-up"] = "object build-up",
        ["object-departure"] = "object departure",
        ["earthworks-construction"] = "earthworks/construction",
        ["vegetation-seasonal"] = "vegetation/seasonal",
    };

    /// <summary>
    /// The band word for <paramref name="probability"/> (0-1), e.g. "likely".
    /// Throws <see cref="ArgumentOutOfRangeException"/> for NaN or values outside 0-1.
    /// </summary>
    public static string Band(double probability)
    {
        if (double.IsNaN(probability) || probability < 0 || probability > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "A probability is between 0 and 1.");
        }

        return probability switch
        {
            < 0.05 => "remote",
            < 0.20 => "very unlikely",
            < 0.45 => "unlikely",
            < 0.55 => "roughly even chance",
            < 0.80 => "likely",
            < 0.95 => "very likely",
            _ => "almost certain",
        };
    }

    /// <summary>
    /// The assessment sentence of a site, e.g. "assessed as likely change of interest (object build-up)": the band word
    /// of <paramref name="probability"/> and the change type in words (<see cref="ChangeTypeWords"/>). A null or blank
    /// label leaves out the parenthesis. Throws like <see cref="Band"/>.
    /// </summary>
    public static string Assess(double probability, string? changeType)
    {
        var band = Band(probability);
        var sentence = band == "roughly even chance"
            ? "assessed as a roughly even chance of change of interest"
            : $"assessed as {band} change of interest";
        return string.IsNullOrWhiteSpace(changeType)
            ? sentence
            : $"{sentence} ({ChangeTypeWords(changeType)})";
    }

    /// <summary>
    /// A change-type label in words: "object-build-up" reads "object build-up", "object-departure" "object departure",
    /// "earthworks-construction" "earthworks/construction", "vegetation-seasonal" "vegetation/seasonal"; any other
    /// label reads with its hyphens as spaces.
    /// </summary>
    public static string ChangeTypeWords(string changeType)
    {
        ArgumentNullException.ThrowIfNull(changeType);
        var label = changeType.Trim();
        return ChangeTypeWording.TryGetValue(label, out var words) ? words : label.Replace('-', ' ');
    }
}
