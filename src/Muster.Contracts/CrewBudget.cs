using System.Globalization;
using System.Text.Json.Serialization;

namespace Muster.Contracts;

/// <summary>
/// What a run may spend: crew.yaml's <c>budget</c>, tightened by a kickoff's <c>budget</c> (a Muster extension). Each limit is
/// optional; JSON <c>{max_total_tokens, max_cost_usd, max_llm_calls, max_duration}</c>, <c>max_duration</c> in seconds
/// (or a string such as <c>90s</c>, <c>10m</c>, <c>1h30m</c>). A run that reaches a limit stops (docs/COSTS.md).
/// </summary>
[JsonConverter(typeof(CrewBudgetJsonConverter))]
public sealed record CrewBudget
{
    /// <summary>JSON <c>max_total_tokens</c>: prompt plus completion tokens over every LLM call of the run.</summary>
    public long? MaxTotalTokens { get; init; }

    /// <summary>JSON <c>max_cost_usd</c>: US dollars over every LLM call, at the configured prices.</summary>
    public decimal? MaxCostUsd { get; init; }

    /// <summary>JSON <c>max_llm_calls</c>: LLM calls that answered.</summary>
    public long? MaxLlmCalls { get; init; }

    /// <summary>JSON <c>max_duration</c>: time the run works, time paused for human review not counted.</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>True when no limit is set.</summary>
    [JsonIgnore]
    public bool IsEmpty => MaxTotalTokens is null && MaxCostUsd is null && MaxLlmCalls is null && MaxDuration is null;

    /// <summary>
    /// The budget a kickoff runs with: <paramref name="crew"/>'s, tightened by <paramref name="kickoff"/>. A kickoff limit above
    /// the crew's would loosen it: <paramref name="refusal"/> then says which, and the result is null.
    /// </summary>
    public static CrewBudget? Tighten(CrewBudget? crew, CrewBudget? kickoff, out string? refusal)
    {
        refusal = null;
        if (kickoff is null || kickoff.IsEmpty)
        {
            return crew;
        }

        if (crew is null)
        {
            return kickoff;
        }

        List<string> loosened = [];
        Check(kickoff.MaxTotalTokens, crew.MaxTotalTokens, "max_total_tokens", v => v.ToString("N0", CultureInfo.InvariantCulture));
        Check(kickoff.MaxCostUsd, crew.MaxCostUsd, "max_cost_usd", v => v.ToString(CultureInfo.InvariantCulture));
        Check(kickoff.MaxLlmCalls, crew.MaxLlmCalls, "max_llm_calls", v => v.ToString("N0", CultureInfo.InvariantCulture));
        Check(kickoff.MaxDuration, crew.MaxDuration, "max_duration", v => v.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s");
        if (loosened.Count > 0)
        {
            refusal = $"A kickoff's budget may only tighten the crew's: {string.Join("; ", loosened)}.";
            return null;
        }

        return new CrewBudget
        {
            MaxTotalTokens = kickoff.MaxTotalTokens ?? crew.MaxTotalTokens,
            MaxCostUsd = kickoff.MaxCostUsd ?? crew.MaxCostUsd,
            MaxLlmCalls = kickoff.MaxLlmCalls ?? crew.MaxLlmCalls,
            MaxDuration = kickoff.MaxDuration ?? crew.MaxDuration,
        };

        void Check<T>(T? asked, T? allowed, string field, Func<T, string> format)
            where T : struct, IComparable<T>
        {
            if (asked is { } a && allowed is { } b && a.CompareTo(b) > 0)
            {
                loosened.Add($"budget.{field} {format(a)} is above the crew's {format(b)}");
            }
        }
    }

    /// <summary>
    /// A duration as budgets write it: seconds (<c>90</c>, <c>1.5</c>), seconds, minutes or hours with a unit (<c>90s</c>,
    /// <c>10m</c>, <c>2h</c>, <c>1h30m</c>), or <c>hh:mm:ss</c>. Null when <paramref name="text"/> is none of these or not positive.
    /// </summary>
    public static TimeSpan? ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return Positive(TimeSpan.FromSeconds(seconds));
        }

        if (trimmed.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var clock) ? Positive(clock) : null;
        }

        var total = TimeSpan.Zero;
        var start = 0;
        for (var i = 0; i < trimmed.Length; i++)
        {
            var unit = char.ToLowerInvariant(trimmed[i]) switch
            {
                'h' => TimeSpan.FromHours(1),
                'm' => TimeSpan.FromMinutes(1),
                's' => TimeSpan.FromSeconds(1),
                _ => (TimeSpan?)null,
            };
            if (unit is null)
            {
                continue;
            }

            if (!double.TryParse(trimmed.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
            {
                return null;
            }

            total += unit.Value * amount;
            start = i + 1;
        }

        return start == trimmed.Length && start > 0 ? Positive(total) : null;
    }

    private static TimeSpan? Positive(TimeSpan value) => value > TimeSpan.Zero ? value : null;
}
