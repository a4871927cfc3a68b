using Muster.Contracts.Runs;
using Muster.Storage;

namespace Muster.Server.Console;

/// <summary><c>/ui/tokens</c> (tokens that may manage tokens only): create (the secret shown once), list, revoke.</summary>
internal static class TokensPage
{
    public static async Task<IResult> RenderAsync(
        ConsolePage page, ConsoleBackend backend, CancellationToken cancellationToken, string? secret = null, IReadOnlyList<FieldError>? problems = null)
    {
        var tokens = await backend.ListTokensAsync(cancellationToken);
        var created = secret is null
            ? Markup.Empty
            : Html.Render($"""
                <div class="created" role="status"><p>The new token. Copy it now: it is not shown again.</p>
                <p><code id="new-token" class="secret">{secret}</code> <button type="button" data-copy="new-token">Copy</button></p></div>
                """);
        var errors = problems is { Count: > 0 }
            ? Html.Render($"<ul class=\"notice\" role=\"alert\">{Html.Join(problems.Select(p => Html.Render($"<li>{p.Path}: {p.Message}</li>")))}</ul>")
            : Markup.Empty;
        var rows = Html.Join(tokens.OrderByDescending(t => t.CreatedAt).Select(token => Row(page, token)));
        return page.Render("Tokens", Html.Render($"""
            <h1>Tokens</h1>
            {created}
            <form class="create-token" method="post" action="/ui/tokens">{page.AntiforgeryField}
            <h2>Create a token</h2>{errors}
            <label>Name <input name="name" maxlength="200"></label>
            <label>Kind <select name="kind"><option value="user">user</option><option value="organization">organization</option></select></label>
            <label>User id (user tokens) <input name="user_id" maxlength="200"></label>
            <label>Crews (comma-separated; empty for all) <input name="crews"></label>
            <label class="check"><input type="checkbox" name="manage_tokens" value="true"> May manage tokens</label>
            <button type="submit">Create</button>
            </form>
            <h2>All tokens</h2>
            <div class="table-wrap"><table class="tokens"><thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Crews</th><th scope="col">Created</th><th scope="col">Revoked</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>{rows}</tbody></table></div>
            """), problems is { Count: > 0 } ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK);
    }

    private static Markup Row(ConsolePage page, TokenRecord token)
    {
        var revoke = token.RevokedAt is null
            ? Html.Render($"<form method=\"post\" action=\"/ui/tokens/{token.Id}/revoke\">{page.AntiforgeryField}<button type=\"submit\" class=\"danger\">Revoke</button></form>")
            : Markup.Empty;
        var kind = token.Kind == TokenKind.User ? $"user {token.UserId}" : "organization" + (token.ManageTokens ? ", manages tokens" : string.Empty);
        return Html.Render($"""
            <tr id="token-{token.Id}"><td class="mono">{token.Id}</td><td>{token.Name}</td><td>{kind}</td><td>{(token.Crews.Count == 0 ? "all" : string.Join(", ", token.Crews))}</td><td>{Html.Time(token.CreatedAt)}</td><td>{Html.Time(token.RevokedAt)}</td><td>{revoke}</td></tr>
            """);
    }
}
