using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Muster.Cli.Infrastructure;
using Muster.Server.Auth;

namespace Muster.Cli.Commands;

/// <summary><c>muster tokens revoke ID</c>: the token stops working at once, through the API or directly in the store.</summary>
internal static class TokensRevokeCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = new Argument<string>("ID") { Description = "The token's id (tok_…), as tokens list shows it" };
        var store = new StoreAccess();
        var command = new Command("revoke", "Revoke a token") { id };
        store.AddTo(command, withStoreFlag: true);
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            var tokenId = parse.GetRequiredValue(id);
            if (store.IsDirect(parse))
            {
                await using var services = await store.OpenAsync(parse, cancellationToken);
                if (!await services.GetRequiredService<TokenService>().RevokeAsync(tokenId, cancellationToken))
                {
                    return CommandRunner.Fail(ExitCodes.Failed, $"no active token has the id {tokenId}");
                }
            }
            else
            {
                await context.Client().RevokeTokenAsync(tokenId, cancellationToken);
            }

            context.Note($"Revoked token {tokenId}.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
