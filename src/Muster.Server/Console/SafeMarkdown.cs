using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Muster.Server.Console;

/// <summary>
/// Task outputs as Markdown, made safe: raw HTML (blocks and inline) is shown as text, and links or images whose target is
/// not http(s), mailto or a relative path (javascript:, data:, vbscript:, …) lose their target and keep only their text.
/// </summary>
internal static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .Build();

    public static Markup Render(string? markdown)
    {
        var document = Markdown.Parse(markdown ?? string.Empty, Pipeline);
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            if (!IsSafe(link.Url))
            {
                ReplaceWithText(link, link.IsImage ? link.Title ?? string.Empty : TextOf(link));
            }
        }

        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
        {
            if (!IsSafe(autolink.Url))
            {
                ReplaceWithText(autolink, autolink.Url);
            }
        }

        // The console's CSP would block images from elsewhere anyway; a broken image is noise, so images become links.
        foreach (var image in document.Descendants<LinkInline>().Where(link => link.IsImage).ToList())
        {
            image.IsImage = false;
        }

        return new Markup(document.ToHtml(Pipeline));
    }

    /// <summary>http(s), mailto, or no scheme at all (a relative path or fragment); anything else is dropped.</summary>
    internal static bool IsSafe(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return false;
        }

        // Browsers ignore control characters and spaces inside a scheme ("java\tscript:"); so does this check.
        var compact = new string([.. url.Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c))]);
        var colon = compact.IndexOf(':', StringComparison.Ordinal);
        var firstSeparator = compact.IndexOfAny(['/', '?', '#']);
        if (colon < 0 || (firstSeparator >= 0 && firstSeparator < colon))
        {
            return true;
        }

        var scheme = compact[..colon];
        return scheme.Equals("http", StringComparison.OrdinalIgnoreCase)
            || scheme.Equals("https", StringComparison.OrdinalIgnoreCase)
            || scheme.Equals("mailto", StringComparison.OrdinalIgnoreCase);
    }

    private static string TextOf(ContainerInline container) =>
        string.Concat(container.Descendants<LiteralInline>().Select(literal => literal.Content.ToString()));

    private static void ReplaceWithText(Inline inline, string text) => inline.ReplaceBy(new LiteralInline(text));
}
