using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Muster.Cli.Infrastructure;
using Muster.Server.Tokens;
using Muster.Storage.Notifications;

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

                await AnnounceAsync(context, services.GetRequiredService<IStoreChangeAnnouncer>(), tokenId, cancellationToken);
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

    /// <summary>
    /// The running nodes cache a token's principal (Muster:Auth:TokenCacheSeconds): they are told to forget it, which
    /// PostgreSQL can carry; on SQLite, or if the announcement fails, the operator learns how long it may still work.
    /// </summary>
    private static async Task AnnounceAsync(CliContext context, IStoreChangeAnnouncer announcer, string tokenId, CancellationToken cancellationToken)
    {
        const string Delay = "a running server may accept it for up to Muster:Auth:TokenCacheSeconds (10 s by default) longer; revoke through the API to end it at once";
        try
        {
            if (!await announcer.AnnounceAsync(CacheInvalidation.Token(tokenId), cancellationToken))
            {
                context.Error.WriteLine($"note: the SQLite store cannot notify the server: {Delay}");
            }
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
        {
            context.Error.WriteLine($"warning: the revocation is stored, but the servers could not be notified ({ex.Message}): {Delay}");
        }
    }
}
