using Microsoft.Extensions.Options;

namespace Muster.Core.Costs;

/// <summary>
/// The operator's prices, bound from <c>Muster:Llm</c> (its <c>Prices</c> section): each model reference
/// (<c>provider/model</c>, as crews name models) to its <see cref="ModelPrice"/>. They win over the price file shipped with the
/// server, model by model.
/// </summary>
public sealed class LlmPriceOptions
{
    /// <summary>Prices by model reference; a bare model name means <c>openai/</c> as in crews.</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Refuses a price without input or output, or with a negative figure, naming the setting.</summary>
internal sealed class LlmPriceOptionsValidator : IValidateOptions<LlmPriceOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmPriceOptions options)
    {
        var failures = new List<string>();
        foreach (var (model, price) in options.Prices)
        {
            if (price.Input is null || price.Output is null)
            {
                failures.Add($"Muster:Llm:Prices:{model} needs Input and Output (US dollars per million tokens).");
            }

            if (price.Input < 0 || price.Output < 0 || price.CachedInput < 0 || price.CacheWrite < 0)
            {
                failures.Add($"Muster:Llm:Prices:{model}: a price cannot be negative.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
