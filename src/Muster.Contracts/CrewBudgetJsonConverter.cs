using System.Text.Json;
using System.Text.Json.Serialization;

namespace Muster.Contracts;

/// <summary>
/// <see cref="CrewBudget"/>'s JSON: <c>{max_total_tokens, max_cost_usd, max_llm_calls, max_duration}</c>, each optional and
/// positive, <c>max_duration</c> in seconds (a string with a unit is read too). An unknown field or a value out of range is a
/// <see cref="CrewBudgetJsonException"/> that says which, so a mistyped limit is never silently ignored.
/// </summary>
public sealed class CrewBudgetJsonConverter : JsonConverter<CrewBudget>
{
    /// <inheritdoc/>
    public override CrewBudget Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new CrewBudgetJsonException("budget must be an object: {max_total_tokens, max_cost_usd, max_llm_calls, max_duration}.");
        }

        var budget = new CrewBudget();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            budget = name switch
            {
                "max_total_tokens" => budget with { MaxTotalTokens = Count(ref reader, name) },
                "max_cost_usd" => budget with { MaxCostUsd = reader.TokenType == JsonTokenType.Number && reader.GetDecimal() is > 0 and var cost ? cost : throw Invalid(name, "a positive number of US dollars") },
                "max_llm_calls" => budget with { MaxLlmCalls = Count(ref reader, name) },
                "max_duration" => budget with { MaxDuration = Duration(ref reader) },
                _ => throw new CrewBudgetJsonException($"budget.{name} is not a budget field: use max_total_tokens, max_cost_usd, max_llm_calls or max_duration."),
            };
        }

        return budget;
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, CrewBudget value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        if (value.MaxTotalTokens is { } tokens)
        {
            writer.WriteNumber("max_total_tokens", tokens);
        }

        if (value.MaxCostUsd is { } cost)
        {
            writer.WriteNumber("max_cost_usd", cost);
        }

        if (value.MaxLlmCalls is { } calls)
        {
            writer.WriteNumber("max_llm_calls", calls);
        }

        if (value.MaxDuration is { } duration)
        {
            writer.WriteNumber("max_duration", duration.TotalSeconds);
        }

        writer.WriteEndObject();
    }

    private static long Count(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var count) && count > 0 ? count : throw Invalid(field, "a positive whole number");

    private static TimeSpan Duration(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.GetDouble() is > 0 and var seconds => TimeSpan.FromSeconds(seconds),
        JsonTokenType.String when CrewBudget.ParseDuration(reader.GetString()!) is { } parsed => parsed,
        _ => throw Invalid("max_duration", "a positive number of seconds, or a string such as \"90s\", \"10m\" or \"1h30m\""),
    };

    private static CrewBudgetJsonException Invalid(string field, string what) => new($"budget.{field} must be {what}.");
}

/// <summary>A budget that cannot be read; <see cref="Reason"/> is the caller's answer, without the serializer's position.</summary>
public sealed class CrewBudgetJsonException(string reason) : JsonException(reason)
{
    /// <summary>Which field is wrong and what it must be.</summary>
    public string Reason { get; } = reason;
}
