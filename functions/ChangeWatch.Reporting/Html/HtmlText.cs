using System.Net;

namespace ChangeWatch.Reporting.Html;

/// <summary>
/// Escapes text for HTML element content and quoted attribute values alike: <c>&lt; &gt; &amp; " '</c> and
/// non-ASCII characters become character references, so provider text can never open a tag or leave an attribute.
/// </summary>
public static class HtmlText
{
    /// <summary>The escaped text; null reads as the empty string.</summary>
    public static string Encode(string? text) => string.IsNullOrEmpty(text) ? string.Empty : WebUtility.HtmlEncode(text);
}
