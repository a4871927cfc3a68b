using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Muster.Cli.Infrastructure;
using Muster.Contracts;
using Muster.Contracts.Tokens;
using Muster.Server.Tokens;

namespace Muster.Cli.Commands;

/// <summary>
/// <c>muster tokens create --kind org|user [--user ID] [--crew NAME]… [--manage-tokens] [--status-shape live|documented]
/// [--max-tokens-per-day N] [--max-cost-usd-per-day USD] [--max-tokens-per-month N] [--max-cost-usd-per-month USD]</c>:
/// a new bearer token, through the API (a token that may manage tokens is needed) or directly in the store (for the first
/// token). The secret is printed once, alone on stdout; only its hash is stored.
/// </summary>
internal static class TokensCreateCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var kind = new Option<string>("--kind") { Description = "org (every run of the crews it covers) or user (only the runs it starts)", HelpName = "KIND", Required = true };
        kind.AcceptOnlyFromAmong("org", "user");
        var user = new Option<string?>("--user") { Description = "The user a user token belongs to (not starting with org:)", HelpName = "ID" };
        var crews = new Option<string[]>("--crew") { Description = "A crew the token covers (repeat for several; default: all)", HelpName = "NAME" };
        var name = new Option<string?>("--name") { Description = "A label to recognise the token by", HelpName = "TEXT" };
        var manage = new Option<bool>("--manage-tokens") { Description = "Let the token create, list and revoke tokens (an org token that covers every crew only)" };
        var shape = new Option<string?>("--status-shape")
        {
            Description = "How status and inputs answer this token: live (Semantic Kernel, crewAI-tools) or documented; default: the server's Muster:Compat:Legacy",
            HelpName = "SHAPE",
        };
        shape.AcceptOnlyFromAmong("live", "documented");
        var tokensPerDay = new Option<long?>("--max-tokens-per-day") { Description = "At most this many tokens over the runs it starts in a UTC day", HelpName = "N" };
        var costPerDay = new Option<decimal?>("--max-cost-usd-per-day") { Description = "At most this many US dollars over the runs it starts in a UTC day", HelpName = "USD" };
        var tokensPerMonth = new Option<long?>("--max-tokens-per-month") { Description = "At most this many tokens over the runs it starts in a UTC month", HelpName = "N" };
        var costPerMonth = new Option<decimal?>("--max-cost-usd-per-month") { Description = "At most this many US dollars over the runs it starts in a UTC month", HelpName = "USD" };
        var store = new StoreAccess();
        var command = new Command("create", "Create a token; the secret is shown once")
        {
            kind, user, crews, name, manage, shape, tokensPerDay, costPerDay, tokensPerMonth, costPerMonth,
        };
        store.AddTo(command, withStoreFlag: true, withCreateFlag: true);
        command.Validators.Add(result =>
        {
            var userId = result.GetValue(user);
            if (result.GetValue(kind) == "user" && string.IsNullOrWhiteSpace(userId))
            {
                result.AddError("A user token needs --user ID.");
            }
            else if (result.GetValue(kind) == "org" && userId is not null)
            {
                result.AddError("--user is for user tokens (--kind user).");
            }
            else if (userId is not null && TokenRules.UserIdProblem(userId) is { } problem)
            {
                result.AddError($"--user: {problem}.");
            }

            if (result.GetValue(manage) && (result.GetValue(kind) != "org" || result.GetValue(crews) is { Length: > 0 }))
            {
                result.AddError("--manage-tokens is for an org token that covers every crew (--kind org, no --crew).");
            }

            if (result.GetValue(tokensPerDay) <= 0 || result.GetValue(costPerDay) <= 0 || result.GetValue(tokensPerMonth) <= 0 || result.GetValue(costPerMonth) <= 0)
            {
                result.AddError("A limit (--max-tokens-per-day, --max-cost-usd-per-day, --max-tokens-per-month, --max-cost-usd-per-month) must be positive.");
            }
        });
        command.SetAction(CommandRunner.Action(globals, async (context, parse, cancellationToken) =>
        {
            var request = new CreateTokenRequest
            {
                Kind = parse.GetRequiredValue(kind),
                UserId = parse.GetValue(user),
                Crews = parse.GetValue(crews) ?? [],
                Name = parse.GetValue(name),
                ManageTokens = parse.GetValue(manage) ? true : null,
                StatusShape = parse.GetValue(shape),
                Limits = new TokenLimitsModel
                {
                    MaxTokensPerDay = parse.GetValue(tokensPerDay),
                    MaxCostUsdPerDay = parse.GetValue(costPerDay),
                    MaxTokensPerMonth = parse.GetValue(tokensPerMonth),
                    MaxCostUsdPerMonth = parse.GetValue(costPerMonth),
                },
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

    /// <summary>Straight into the store, under the same rules as the API (the command line's checks have run already); returns
    /// the token and the store it went into (the file a server must read for the token to work there).</summary>
    private static async Task<(CreatedTokenResponse Created, string Where)> CreateInStoreAsync(
        StoreAccess store, ParseResult parse, CreateTokenRequest request, CancellationToken cancellationToken)
    {
        var (token, problems) = TokenRules.Check(request);
        if (token is null)
        {
            throw new UsageException(string.Join("; ", problems.Select(p => $"{p.Path}: {p.Message}")));
        }

        await using var services = await store.OpenAsync(parse, cancellationToken);
        var (secret, record) = await services.GetRequiredService<TokenService>().CreateAsync(token, cancellationToken);
        return (new CreatedTokenResponse { Token = secret, Info = TokenInfos.From(record) }, $"in {StoreAccess.Name(services)}");
    }
}
