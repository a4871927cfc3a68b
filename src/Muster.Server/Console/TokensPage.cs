using Muster.Contracts;
using Muster.Contracts.Runs;
using Muster.Server.Tokens;
using Muster.Storage;

namespace Muster.Server.Console;

/// <summary>
/// <c>/ui/tokens</c> (tokens that may manage tokens only): create (the secret shown once), list with each token's limits,
/// revoke. A refused create answers 422 with the API's messages and the form as it was typed.
/// </summary>
internal static class TokensPage
{
    public static async Task<IResult> RenderAsync(
        ConsolePage page,
        ConsoleBackend backend,
        CancellationToken cancellationToken,
        string? secret = null,
        IReadOnlyList<FieldError>? problems = null,
        IFormCollection? typed = null)
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
        var organization = typed?["kind"].ToString() == "organization";
        var manages = typed?["manage_tokens"].ToString() == "true";
        return page.Render("Tokens", Html.Render($"""
            <h1>Tokens</h1>
            {created}
            <form class="create-token" method="post" action="/ui/tokens">{page.AntiforgeryField}
            <h2>Create a token</h2>{errors}
            <label>Name <input name="name" maxlength="200" value="{typed?["name"].ToString()}"></label>
            <label>Kind <select name="kind"><option value="user">user</option><option value="organization"{Html.When(organization, new Markup(" selected"))}>organization</option></select></label>
            <label>User id (user tokens) <input name="user_id" maxlength="200" value="{typed?["user_id"].ToString()}"></label>
            <label>Crews (comma-separated; empty for all) <input name="crews" value="{typed?["crews"].ToString()}"></label>
            <label class="check"><input type="checkbox" name="manage_tokens" value="true"{Html.When(manages, new Markup(" checked"))}> May manage tokens</label>
            <fieldset class="limits"><legend>Spending limits (optional; per UTC day and month, over the runs the token starts)</legend>
            {Limit("Max tokens per day", TokenForm.TokensPerDay, "numeric", typed, problems)}
            {Limit("Max cost per day (US dollars)", TokenForm.CostPerDay, "decimal", typed, problems)}
            {Limit("Max tokens per month", TokenForm.TokensPerMonth, "numeric", typed, problems)}
            {Limit("Max cost per month (US dollars)", TokenForm.CostPerMonth, "decimal", typed, problems)}
            </fieldset>
            <button type="submit">Create</button>
            </form>
            <h2>All tokens</h2>
            <div class="table-wrap"><table class="tokens"><thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Crews</th><th scope="col">Limits</th><th scope="col">Created</th><th scope="col">Revoked</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>{rows}</tbody></table></div>
            """), problems is { Count: > 0 } ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK);
    }

    // A text field rather than type=number: the server's check, with the API's messages, is the only one, and "200,000" is welcome.
    private static Markup Limit(string label, string field, string inputMode, IFormCollection? typed, IReadOnlyList<FieldError>? problems)
    {
        var invalid = problems?.Any(p => p.Path == $"body.limits.{field}") == true;
        return Html.Render($"""
            <label>{label} <input name="{field}" inputmode="{inputMode}" autocomplete="off" value="{typed?[field].ToString()}"{Html.When(invalid, new Markup(" aria-invalid=\"true\""))}></label>
            """);
    }

    private static Markup Row(ConsolePage page, TokenRecord token)
    {
        var revoke = token.RevokedAt is null
            ? Html.Render($"<form method=\"post\" action=\"/ui/tokens/{token.Id}/revoke\">{page.AntiforgeryField}<button type=\"submit\" class=\"danger\">Revoke</button></form>")
            : Markup.Empty;
        var kind = token.Kind == TokenKind.User ? $"user {token.UserId}" : "organization" + (token.ManageTokens ? ", manages tokens" : string.Empty);
        var limits = DisplayText.TokenLimits(TokenInfos.From(token).Limits);
        return Html.Render($"""
            <tr id="token-{token.Id}"><td class="mono">{token.Id}</td><td>{token.Name}</td><td>{kind}</td><td>{(token.Crews.Count == 0 ? "all" : string.Join(", ", token.Crews))}</td><td class="limits">{limits}</td><td>{Html.Time(token.CreatedAt)}</td><td>{Html.Time(token.RevokedAt)}</td><td>{revoke}</td></tr>
            """);
    }
}
