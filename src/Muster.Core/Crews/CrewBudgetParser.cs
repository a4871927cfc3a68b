using System.Globalization;
using Muster.Contracts;
using YamlDotNet.RepresentationModel;

namespace Muster.Core.Crews;

/// <summary>crew.yaml's <c>budget: {max_total_tokens, max_cost_usd, max_llm_calls, max_duration}</c>, every mistake reported.</summary>
internal static class CrewBudgetParser
{
    public static CrewBudget? Parse(YamlFile file, YamlNode node, DiagnosticBag diagnostics)
    {
        if (node is not YamlMappingNode mapping)
        {
            diagnostics.Error(file.Path, node, "budget must be a mapping: {max_total_tokens, max_cost_usd, max_llm_calls, max_duration}");
            return null;
        }

        var budget = new CrewBudget();
        foreach (var (key, keyNode, value) in YamlFile.Entries(mapping))
        {
            var text = (value as YamlScalarNode)?.Value?.Trim() ?? "";
            switch (key)
            {
                case "max_total_tokens":
                    budget = budget with { MaxTotalTokens = Count(text) ?? Invalid<long>(value, key, "a positive whole number of tokens") };
                    break;
                case "max_llm_calls":
                    budget = budget with { MaxLlmCalls = Count(text) ?? Invalid<long>(value, key, "a positive whole number of calls") };
                    break;
                case "max_cost_usd":
                    budget = budget with
                    {
                        MaxCostUsd = decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var cost) && cost > 0
                            ? cost
                            : Invalid<decimal>(value, key, "a positive number of US dollars"),
                    };
                    break;
                case "max_duration":
                    budget = budget with
                    {
                        MaxDuration = CrewBudget.ParseDuration(text) ?? Invalid<TimeSpan>(value, key, "a positive number of seconds, or a duration such as 90s, 10m or 1h30m"),
                    };
                    break;
                default:
                    diagnostics.Error(file.Path, keyNode, $"budget: '{key}' is not a budget field (use max_total_tokens, max_cost_usd, max_llm_calls or max_duration)");
                    break;
            }
        }

        return budget.IsEmpty ? null : budget;

        T? Invalid<T>(YamlNode at, string field, string what)
            where T : struct
        {
            diagnostics.Error(file.Path, at, $"budget: {field} must be {what}");
            return null;
        }
    }

    // YAML writes 10_000 as well as 10000 (and some write 10,000).
    private static long? Count(string text) =>
        long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var count) && count > 0 ? count : null;
}
