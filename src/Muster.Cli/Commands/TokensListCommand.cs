using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Muster.Cli.Infrastructure;
using Muster.Contracts;
using Muster.Contracts.Tokens;
using Muster.Server.Tokens;
using Spectre.Console;

namespace Muster.Cli.Commands;

/// <summary><c>muster tokens list</c>: every token (never a secret), through the API or directly in the store.</summary>
internal static class TokensListCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var store = new StoreAccess();
        var command = new Command("list", "Every token, never its secret");
        store.AddTo(command, withStoreFlag: true);
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            IReadOnlyList<TokenInfo> tokens;
            if (store.IsDirect(parse))
            {
                await using var services = await store.OpenAsync(parse, cancellationToken);
                tokens = [.. (await services.GetRequiredService<TokenService>().ListAsync(cancellationToken)).Select(TokenInfos.From)];
            }
            else
            {
                tokens = await context.Client().ListTokensAsync(cancellationToken);
            }

            return context.Show(tokens, MusterJsonContext.Default.IReadOnlyListTokenInfo, answer =>
            {
                var table = Tables.Create("ID", "KIND", "USER", "CREWS", "NAME", "MANAGES TOKENS", "STATUS SHAPE", "LIMITS", "CREATED", "REVOKED");
                foreach (var token in answer)
                {
                    table.AddRow(Tables.Cells(
                        token.Id, token.Kind, token.UserId ?? "-", token.Crews is { } crews ? string.Join(", ", crews) : "all",
                        token.Name ?? "-", token.ManageTokens ? "yes" : "no", token.StatusShape ?? "server default", DisplayText.TokenLimits(token.Limits), token.CreatedAt, token.RevokedAt ?? "-"));
                }

                context.Out.Write(table);
            });
        }));
        return command;
    }
}
