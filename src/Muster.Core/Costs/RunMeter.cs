using System.Globalization;
using Muster.Contracts;
using Muster.Core.Engine;
using static System.FormattableString;

namespace Muster.Core.Costs;

/// <summary>
/// A run's spending while it runs on this node: prices each LLM call and holds the run to its budget. It starts from what the
/// run's stored events say it spent (the checkpoint), so a resumed or taken-over run counts every earlier call once. Checked
/// before each LLM call and tool call, and after each LLM call; thread-safe for async tasks and parallel delegations.
/// <para>
/// The bound (docs/COSTS.md): a call is refused once the run has reached a token or cost limit, and the call that crosses one
/// is counted and stops the run, so a run overspends by at most the calls in flight when it crossed: one per agent loop
/// running at that moment (each async task, each co-worker working on a delegation). LLM calls in flight are reserved
/// against <c>max_llm_calls</c>, which is therefore never exceeded.
/// </para>
/// </summary>
internal sealed class RunMeter(CrewBudget? budget, RunCheckpoint checkpoint, PriceList prices, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly long _started = time.GetTimestamp();
    private RunSpend _spent = checkpoint.Spent;
    private int _inFlight;

    /// <summary>What the run has spent, earlier starts included.</summary>
    public RunSpend Spent
    {
        get
        {
            lock (_lock)
            {
                return _spent;
            }
        }
    }

    /// <summary>One call's cost at the configured prices; null when <paramref name="model"/> has none.</summary>
    public decimal? CostOf(string model, TokenUsage usage, long cacheWriteTokens) => prices.CostOf(model, usage, cacheWriteTokens);

    /// <summary>Before an LLM call to <paramref name="model"/>: refuses it when a limit is reached, else counts it as in flight.</summary>
    public void BeforeLlmCall(string model)
    {
        if (budget is null)
        {
            return;
        }

        lock (_lock)
        {
            CheckReached();
            if (budget.MaxLlmCalls is { } maxCalls && _spent.LlmCalls + _inFlight >= maxCalls)
            {
                throw Exceeded("max_llm_calls", maxCalls, _spent.LlmCalls + _inFlight, Invariant($"{_spent.LlmCalls + _inFlight:N0} of {maxCalls:N0} LLM calls"));
            }

            if (budget.MaxCostUsd is { } maxCost && prices.Find(model) is null)
            {
                throw Exceeded("max_cost_usd", maxCost, null,
                    $"the cost of model '{model}' is unknown (it has no price in Muster:Llm:Prices), so the run's limit of {Usd(maxCost)} cannot be kept");
            }

            _inFlight++;
        }
    }

    /// <summary>After an LLM call answered: counts its usage, and stops the run when it went past a limit.</summary>
    public void AfterLlmCall(TokenUsage usage)
    {
        lock (_lock)
        {
            _spent = _spent.Add(usage);
            if (budget is null)
            {
                return;
            }

            _inFlight--;
            if (budget.MaxTotalTokens is { } maxTokens && _spent.Tokens > maxTokens)
            {
                throw TokensExceeded(maxTokens);
            }

            if (budget.MaxCostUsd is { } maxCost && _spent.CostUsd > maxCost)
            {
                throw CostExceeded(maxCost);
            }
        }
    }

    /// <summary>After an LLM call failed or was cancelled: it is no longer in flight, and the provider reported no usage.</summary>
    public void LlmCallFailed()
    {
        if (budget is null)
        {
            return;
        }

        lock (_lock)
        {
            _inFlight--;
        }
    }

    /// <summary>Before a tool call: refuses it when a limit is reached.</summary>
    public void BeforeToolCall()
    {
        if (budget is null)
        {
            return;
        }

        lock (_lock)
        {
            CheckReached();
        }
    }

    // Reached, not only passed: with the tokens or dollars all spent, any further call would go past the limit.
    private void CheckReached()
    {
        if (budget!.MaxTotalTokens is { } maxTokens && _spent.Tokens >= maxTokens)
        {
            throw TokensExceeded(maxTokens);
        }

        if (budget.MaxCostUsd is { } maxCost && (_spent.CostUsd is null || _spent.CostUsd >= maxCost))
        {
            throw _spent.CostUsd is null
                ? Exceeded("max_cost_usd", maxCost, null, $"the run's cost is unknown (a call's model has no price), so its limit of {Usd(maxCost)} cannot be kept")
                : CostExceeded(maxCost);
        }

        if (budget.MaxDuration is { } maxDuration)
        {
            var worked = checkpoint.Worked + time.GetElapsedTime(_started);
            if (worked >= maxDuration)
            {
                throw Exceeded("max_duration", (decimal)maxDuration.TotalSeconds, Math.Round((decimal)worked.TotalSeconds, 3),
                    Invariant($"{worked.TotalSeconds:N1} of {maxDuration.TotalSeconds:N1} seconds"));
            }
        }
    }

    private BudgetExceededException TokensExceeded(long maxTokens) =>
        Exceeded("max_total_tokens", maxTokens, _spent.Tokens, Invariant($"{_spent.Tokens:N0} of {maxTokens:N0} tokens"));

    private BudgetExceededException CostExceeded(decimal maxCost) =>
        Exceeded("max_cost_usd", maxCost, _spent.CostUsd, $"{Usd(_spent.CostUsd!.Value)} of {Usd(maxCost)}");

    private static BudgetExceededException Exceeded(string limit, decimal max, decimal? spent, string what) =>
        new(new CrewBudgetExceeded(limit, max, spent, "Budget exceeded: " + what));

    private static string Usd(decimal amount) => "$" + amount.ToString("#,0.00####", CultureInfo.InvariantCulture);
}
