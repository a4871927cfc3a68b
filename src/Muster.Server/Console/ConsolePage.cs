using Microsoft.AspNetCore.Antiforgery;
using Muster.Server.Tokens;

namespace Muster.Server.Console;

/// <summary>One request of the console: who is signed in (if anyone) and the anti-forgery field its forms carry.</summary>
internal sealed class ConsolePage(HttpContext context, ConsoleSession? session, IAntiforgery antiforgery)
{
    private AntiforgeryTokenSet? _tokens;

    public HttpContext Context => context;

    public ConsoleSession? Session => session;

    public Tokens.MusterPrincipal Principal => session?.Principal ?? throw new InvalidOperationException("The page needs a signed-in viewer.");

    /// <summary>The hidden field every state-changing form sends; a POST without it is refused.</summary>
    public Markup AntiforgeryField
    {
        get
        {
            _tokens ??= antiforgery.GetAndStoreTokens(context);
            return Html.Render($"<input type=\"hidden\" name=\"{_tokens.FormFieldName}\" value=\"{_tokens.RequestToken}\">");
        }
    }

    /// <summary>A whole page in the console's layout, with <paramref name="status"/> as its HTTP status.</summary>
    public IResult Render(string title, Markup body, int status = StatusCodes.Status200OK) =>
        TypedResults.Content(Layout.Page(this, title, body).Value, "text/html; charset=utf-8", statusCode: status);

    /// <summary>A page saying what went wrong, e.g. 404 for a run the viewer may not see.</summary>
    public IResult Problem(int status, string title, string message) =>
        Render(title, Html.Render($"<h1>{title}</h1><p class=\"notice\">{message}</p><p><a href=\"/ui/runs\">Back to runs</a></p>"), status);
}

/// <summary>The frame around every page: the navigation, the sign-out control, the asset links.</summary>
internal static class Layout
{
    public static Markup Page(ConsolePage page, string title, Markup body)
    {
        var session = page.Session;
        var path = page.Context.Request.Path.Value ?? string.Empty;
        var nav = session is null
            ? Markup.Empty
            : Html.Render($"""
                <nav aria-label="Console">
                  <a class="brand" href="/ui/runs">Muster</a>
                  {Link("/ui/runs", "Runs", path)}{Link("/ui/reviews", "Reviews", path)}{Link("/ui/crews", "Crews", path)}{Html.When(session.Principal.MayManageTokens, Link("/ui/tokens", "Tokens", path))}<a href="/docs">API</a>
                  <form class="signout" method="post" action="/ui/logout">{page.AntiforgeryField}<span class="who">{Who(session.Principal)}</span><button type="submit">Sign out</button></form>
                </nav>
                """);
        return Html.Render($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>{title} · Muster</title>
            <link rel="stylesheet" href="{ConsoleAssets.Url("console.css")}">
            <script src="{ConsoleAssets.Url("console.js")}" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header>{nav}</header>
            <main id="main">{body}</main>
            </body>
            </html>
            """);
    }

    private static string Who(Tokens.MusterPrincipal principal) =>
        principal.IsOrganization ? $"organization token {principal.TokenId}" : $"user {principal.UserId}";

    private static Markup Link(string href, string text, string path) =>
        path.StartsWith(href, StringComparison.Ordinal)
            ? Html.Render($"<a href=\"{href}\" aria-current=\"page\">{text}</a>")
            : Html.Render($"<a href=\"{href}\">{text}</a>");
}
