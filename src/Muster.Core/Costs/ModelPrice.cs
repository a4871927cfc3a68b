namespace Muster.Core.Costs;

/// <summary>
/// What a model's tokens cost, in US dollars per million tokens (<c>Muster:Llm:Prices:{provider/model}</c>). Input and output
/// are required; cached input and cache writes cost what input costs unless they say otherwise.
/// </summary>
public sealed class ModelPrice
{
    /// <summary>Input (prompt) tokens not served from or written to the provider's prompt cache.</summary>
    public decimal? Input { get; set; }

    /// <summary>Output (completion) tokens, reasoning included.</summary>
    public decimal? Output { get; set; }

    /// <summary>Input tokens the provider served from its prompt cache; <see cref="Input"/> when not set.</summary>
    public decimal? CachedInput { get; set; }

    /// <summary>Input tokens the provider wrote to its prompt cache (Anthropic); <see cref="Input"/> when not set.</summary>
    public decimal? CacheWrite { get; set; }
}
