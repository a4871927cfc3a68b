using Muster.Server.Console;

namespace Muster.Console.Tests;

public sealed class SafeMarkdownTests
{
    [Theory]
    [InlineData("[x](javascript:alert(1))")]
    [InlineData("[x](JavaScript:alert(1))")]
    [InlineData("[x](java\tscript:alert(1))")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD4=)")]
    [InlineData("[x](vbscript:msgbox)")]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("<javascript:alert(1)>")]
    public void ALinkWithAScriptOrDataScheme_LosesItsTarget(string markdown)
    {
        var html = SafeMarkdown.Render(markdown).Value;

        html.ShouldNotContain("href=\"javascript", Case.Insensitive);
        html.ShouldNotContain("href=\"data", Case.Insensitive);
        html.ShouldNotContain("href=\"vbscript", Case.Insensitive);
        html.ShouldNotContain("href=\"java", Case.Insensitive);
        html.ShouldNotContain("src=", Case.Insensitive);
    }

    [Fact]
    public void RawHtml_IsShownAsText()
    {
        var html = SafeMarkdown.Render("<script>alert(1)</script>\n\ntext <img src=x onerror=alert(1)> more").Value;

        html.ShouldNotContain("<script>");
        html.ShouldNotContain("<img");
        html.ShouldContain("&lt;script&gt;");
    }

    [Fact]
    public void MarkdownAndSafeLinks_AreRendered()
    {
        var html = SafeMarkdown.Render("# Title\n\n**bold** [site](https://example.org/a?b=1) [here](#part)").Value;

        html.ShouldContain("<h1");
        html.ShouldContain("<strong>bold</strong>");
        html.ShouldContain("href=\"https://example.org/a?b=1\"");
        html.ShouldContain("href=\"#part\"");
    }

    [Fact]
    public void HolesInConsoleMarkup_AreEncoded()
    {
        var input = "<img src=x onerror=alert(1)>\"'&";

        var html = Html.Render($"<td title=\"{input}\">{input}</td>").Value;

        html.ShouldNotContain("<img");
        html.ShouldNotContain("\"'&\"");
        html.ShouldContain("&lt;img src=x onerror=alert(1)&gt;");
    }
}
