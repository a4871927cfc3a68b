namespace Muster.Server.Console;

/// <summary><c>/ui/login</c>: a token in, a session cookie out.</summary>
internal static class LoginPage
{
    public static IResult Render(ConsolePage page, string? next, string? problem = null) => page.Render("Sign in", Html.Render($"""
        <div class="login">
        <h1>Sign in to Muster</h1>
        <form method="post" action="/ui/login">{page.AntiforgeryField}
        <input type="hidden" name="next" value="{next}">
        {(problem is null ? Markup.Empty : Html.Render($"<p class=\"notice\" role=\"alert\">{problem}</p>"))}
        <label for="token">Organization or user token</label>
        <input id="token" name="token" type="password" autocomplete="off" required autofocus placeholder="mst_…">
        <button type="submit">Sign in</button>
        </form>
        <p class="sub">The browser keeps a sealed session, never the token itself.</p>
        </div>
        """), problem is null ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized);

    /// <summary>Where to go after signing in: a console path only, never another site.</summary>
    public static string SafeNext(string? next) =>
        next is { Length: > 0 } path && path.StartsWith("/ui/", StringComparison.Ordinal) && !path.StartsWith("/ui//", StringComparison.Ordinal)
            && !path.Contains('\\', StringComparison.Ordinal) && !path.StartsWith("/ui/login", StringComparison.Ordinal)
            ? path
            : "/ui/runs";
}
