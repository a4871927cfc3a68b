using System.Globalization;
using Muster.Contracts;
using Muster.Server.Runs;
using Muster.Storage;

namespace Muster.Server.Tokens;

/// <summary>
/// A limited token's kickoff: refused while a limit is reached (its runs created in the UTC day or month spent it), else the
/// run's budget capped at what the token has left, so the engine stops the run where the limit is crossed (docs/COSTS.md).
/// </summary>
internal sealed class TokenAllowances(ITokenStore tokens, TimeProvider time)
{
    /// <summary>
    /// What <paramref name="principal"/> may still spend on one run: a <see cref="TokenAllowance.Cap"/> for its budget, or a
    /// <see cref="TokenAllowance.Refusal"/> when a limit is reached. Null when the token has no limit.
    /// </summary>
    public async Task<TokenAllowance?> CheckAsync(MusterPrincipal principal, CancellationToken cancellationToken)
    {
        if (principal.Limits is not { } limits)
        {
            return null;
        }

        var now = time.GetUtcNow().ToUniversalTime();
        var dayStart = new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero);
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var spend = await tokens.GetTokenSpendAsync(principal.TokenId, dayStart, monthStart, cancellationToken);

        var windows = new[]
        {
            new Window("max_tokens_per_day", "UTC day", limits.MaxTokensPerDay, spend.DayTokens, IsCost: false, dayStart.AddDays(1)),
            new Window("max_cost_usd_per_day", "UTC day", limits.MaxCostUsdPerDay, spend.DayCostUsd, IsCost: true, dayStart.AddDays(1)),
            new Window("max_tokens_per_month", "UTC month", limits.MaxTokensPerMonth, spend.MonthTokens, IsCost: false, monthStart.AddMonths(1)),
            new Window("max_cost_usd_per_month", "UTC month", limits.MaxCostUsdPerMonth, spend.MonthCostUsd, IsCost: true, monthStart.AddMonths(1)),
        };
        var reached = windows.Where(w => w.Limit is { } limit && w.Spent >= limit).ToList();
        if (reached.Count > 0)
        {
            // Every reached limit must reset before a kickoff can pass: the latest of their windows' ends.
            var resetsAt = reached.Max(w => w.EndsAt);
            var retryAfter = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((resetsAt - now).TotalSeconds)));
            var what = string.Join("; ", reached.Select(w => w.Describe()));
            return new TokenAllowance(null, new KickoffOutcome.TokenLimitReached(
                $"This token's spending limit is reached: {what}. No run is started until {resetsAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}.",
                retryAfter));
        }

        return new TokenAllowance(
            new CrewBudget
            {
                MaxTotalTokens = Least(windows.Where(w => !w.IsCost).Select(w => w.Remaining)) is { } tokensLeft ? (long)tokensLeft : null,
                MaxCostUsd = Least(windows.Where(w => w.IsCost).Select(w => w.Remaining)),
            },
            null);
    }

    /// <summary><paramref name="budget"/> with no limit above <paramref name="cap"/>'s.</summary>
    public static CrewBudget Cap(CrewBudget? budget, CrewBudget cap) => new()
    {
        MaxTotalTokens = Least([budget?.MaxTotalTokens, cap.MaxTotalTokens]) is { } tokensLeft ? (long)tokensLeft : null,
        MaxCostUsd = Least([budget?.MaxCostUsd, cap.MaxCostUsd]),
        MaxLlmCalls = budget?.MaxLlmCalls,
        MaxDuration = budget?.MaxDuration,
    };

    private static decimal? Least(IEnumerable<decimal?> values) => values.Where(v => v is not null).Min();

    private static decimal? Least(IEnumerable<long?> values) => Least(values.Select(v => (decimal?)v));

    private sealed record Window(string Field, string Period, decimal? Limit, decimal Spent, bool IsCost, DateTimeOffset EndsAt)
    {
        public decimal? Remaining => Limit - Spent;

        public string Describe() => IsCost
            ? $"limits.{Field} ${Limit!.Value.ToString(CultureInfo.InvariantCulture)}, its runs of this {Period} spent ${decimal.Round(Spent, 4).ToString(CultureInfo.InvariantCulture)}"
            : $"limits.{Field} {Limit!.Value.ToString("N0", CultureInfo.InvariantCulture)} tokens, its runs of this {Period} spent {Spent.ToString("N0", CultureInfo.InvariantCulture)}";
    }
}

/// <summary>A limited token's allowance for one kickoff: a budget cap, or why no run may start.</summary>
internal sealed record TokenAllowance(CrewBudget? Cap, KickoffOutcome.TokenLimitReached? Refusal);
