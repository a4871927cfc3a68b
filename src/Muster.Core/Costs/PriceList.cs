using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Core.Llm;

namespace Muster.Core.Costs;

/// <summary>
/// The prices Muster charges calls at: the price file shipped in this assembly (prices.json, which says its date), with the
/// operator's <c>Muster:Llm:Prices</c> winning model by model. A model in neither has no price, and its calls cost null.
/// </summary>
public sealed class PriceList
{
    private const decimal PerMillion = 1_000_000m;
    private readonly FrozenDictionary<string, ModelPrice> _prices;

    /// <summary>Reads the shipped file and lays the operator's prices over it.</summary>
    public PriceList(IOptions<LlmPriceOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var shipped = Shipped();
        FileDate = shipped.Date;
        var prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var (model, price) in shipped.Prices)
        {
            prices[Key(model)] = new ModelPrice { Input = price.Input, Output = price.Output, CachedInput = price.CachedInput, CacheWrite = price.CacheWrite };
        }

        foreach (var (model, price) in options.Value.Prices)
        {
            prices[Key(model)] = price;
        }

        _prices = prices.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The date the shipped price file says its prices are from.</summary>
    public DateOnly FileDate { get; }

    /// <summary>The price of <paramref name="model"/> (<c>provider/model</c>, or a bare name for OpenAI); null when it has none.</summary>
    public ModelPrice? Find(string model) => _prices.GetValueOrDefault(Key(model));

    /// <summary>
    /// What one call's <paramref name="usage"/> cost, to the nano-dollar (the store keeps costs as whole nano-dollars, so sums
    /// are exact everywhere); null when <paramref name="model"/> has no price. Cached input and cache writes are parts of the
    /// input tokens, charged at their own prices.
    /// </summary>
    public decimal? CostOf(string model, TokenUsage usage, long cacheWriteTokens)
    {
        ArgumentNullException.ThrowIfNull(usage);
        if (Find(model) is not { Input: { } input, Output: { } output } price)
        {
            return null;
        }

        var cached = Math.Min(usage.CachedPromptTokens, usage.PromptTokens);
        var written = Math.Min(cacheWriteTokens, usage.PromptTokens - cached);
        var plain = usage.PromptTokens - cached - written;
        var cost = (plain * input + cached * (price.CachedInput ?? input) + written * (price.CacheWrite ?? input) + usage.CompletionTokens * output) / PerMillion;
        return Math.Round(cost, 9, MidpointRounding.AwayFromZero);
    }

    private static string Key(string model) => ModelReference.Parse(model).ToString();

    private static PriceFile Shipped()
    {
        using var stream = typeof(PriceList).Assembly.GetManifestResourceStream("Muster.Core.Costs.prices.json")
            ?? throw new InvalidOperationException("Muster.Core lacks its price file (Costs/prices.json as an embedded resource).");
        return JsonSerializer.Deserialize(stream, PriceFileJsonContext.Default.PriceFile)
            ?? throw new InvalidDataException("The shipped price file is empty.");
    }
}

/// <summary>The shipped price file: its date and the prices, per million tokens.</summary>
internal sealed record PriceFile(DateOnly Date, Dictionary<string, PriceFileEntry> Prices);

internal sealed record PriceFileEntry(decimal Input, decimal Output, decimal? CachedInput, decimal? CacheWrite);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PriceFile))]
internal sealed partial class PriceFileJsonContext : JsonSerializerContext;
