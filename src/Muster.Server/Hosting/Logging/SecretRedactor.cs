using System.Text.RegularExpressions;

namespace Muster.Server.Hosting.Logging;

/// <summary>
/// Finds secrets in text bound for the log and blanks them: the value of a URL parameter whose name speaks of a secret
/// (<c>?token=</c>, <c>access_token=</c>, <c>api_key=</c>, <c>sig=</c>, …), the value of a credential header
/// (<c>Authorization:</c>, <c>X-Api-Key:</c>, <c>Cookie:</c>, …), a <c>Bearer</c> or <c>Basic</c> credential, and Muster's own
/// <c>mst_…</c> tokens wherever they appear.
/// </summary>
internal static partial class SecretRedactor
{
    public const string Mask = "[REDACTED]";

    /// <summary>Whether <paramref name="text"/> holds something to blank.</summary>
    public static bool HasSecret(string text) => Secrets().IsMatch(text);

    /// <summary><paramref name="text"/> with every secret replaced by <see cref="Mask"/>.</summary>
    public static string Redact(string text) => Secrets().Replace(text, static match =>
    {
        foreach (var name in (ReadOnlySpan<string>)["param", "header", "scheme", "mst"])
        {
            if (match.Groups[name] is { Success: true } kept)
            {
                return kept.Value + Mask;
            }
        }

        return Mask;
    });

    // Parameter names are bounded, so that a long entry with many separators costs time in proportion to its length.
    [GeneratedRegex(
        """(?<param>(?:^|[?&;])[^=&?#;\s]{0,40}(?:token|key|secret|password|passwd|pwd|signature|sig|auth|credential)[^=&?#;\s]{0,40}=)[^&#;\s]*""" +
        """|(?<header>\b(?:authorization|proxy-authorization|x-api-key|api-key|cookie|set-cookie)\s*:\s*)[^\r\n]*""" +
        """|(?<scheme>\b(?:bearer|basic)\s+)[A-Za-z0-9\-._~+/]{8,}=*""" +
        """|(?<mst>mst_)[A-Za-z0-9_\-]+""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Secrets();
}
