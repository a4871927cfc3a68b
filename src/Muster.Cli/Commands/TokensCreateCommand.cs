using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Muster.Cli.Infrastructure;
using Muster.Contracts;
using Muster.Contracts.Tokens;
using Muster.Server.Auth;
using Muster.Storage;

namespace Muster.Cli.Commands;

/// <summary>
/// <c>muster tokens create --kind org|user [--user ID] [--crew NAME]…</c>: a new bearer token, through the API (an
/// organization token is needed) or directly in the store (for the first token). The secret is printed once, alone on
/// stdout; only its hash is stored.
/// </summary>
internal static class TokensCreateCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var kind = new Option<string>("--kind") { Description = "org (every run of the crews it covers) or user (only the runs it starts)", HelpName = "KIND", Required = true };
        kind.AcceptOnlyFromAmong("org", "user");
        var user = new Option<string?>("--user") { Description = "The user a user token belongs to", HelpName = "ID" };
        var crews = new Option<string[]>("--crew") { Description = "A crew the token covers (repeat for several; default: all)", HelpName = "NAME" };
        var name = new Option<string?>("--name") { Description = "A label to recognise the token by", HelpName = "TEXT" };
        var store = new StoreAccess();
        var command = new Command("create", "Create a token; the secret is shown once") { kind, user, crews, name };
        store.AddTo(command, withStoreFlag: true, withCreateFlag: true);
        command.Validators.Add(result =>
        {
            if (result.GetValue(kind) == "user" && string.IsNullOrWhiteSpace(result.GetValue(user)))
            {
                result.AddError("A user token needs --user ID.");
            }
            else if (result.GetValue(kind) == "org" && result.GetValue(user) is not null)
            {
                result.AddError("--user is for user tokens (--kind user).");
            }
        });
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            var request = new CreateTokenRequest
            {
                Kind = parse.GetRequiredValue(kind), UserId = parse.GetValue(user), Crews = parse.GetValue(crews) ?? [], Name = parse.GetValue(name),
            };
            var (created, where) = store.IsDirect(parse)
                ? await CreateInStoreAsync(store, parse, request, cancellationToken)
                : (await context.Client().CreateTokenAsync(request, cancellationToken), $"through {context.BaseUrl}");
            return context.Show(created, MusterJsonContext.Default.CreatedTokenResponse, answer =>
            {
                // The secret alone on stdout, so that `TOKEN=$(muster tokens create …)` works.
                context.Line(answer.Token);
                context.Error.WriteLine($"Created {answer.Info.Kind} token {answer.Info.Id} {where}. The secret above is shown only this once; store it now.");
            });
        }));
        return command;
    }

    /// <summary>The token, and the store it went into (the file a server must read for the token to work there).</summary>
    private static async Task<(CreatedTokenResponse Created, string Where)> CreateInStoreAsync(
        StoreAccess store, System.CommandLine.ParseResult parse, CreateTokenRequest request, CancellationToken cancellationToken)
    {
        await using var services = await store.OpenAsync(parse, cancellationToken);
        var (secret, record) = await services.GetRequiredService<TokenService>().CreateAsync(
            request.Kind == "user" ? TokenKind.User : TokenKind.Organization, request.UserId, request.Crews ?? [], request.Name, cancellationToken);
        return (new CreatedTokenResponse { Token = secret, Info = TokenInfos.From(record) }, $"in {StoreAccess.Name(services)}");
    }
}
