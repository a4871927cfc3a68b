using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Muster.Storage.Sql;

/// <summary>How documents (crew snapshots, outputs, settings) are kept in text columns.</summary>
internal static class StoreJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static string? WriteOrNull<T>(T? value) where T : class => value is null ? null : Write(value);

    public static T Read<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Stored {typeof(T).Name} is null.");

    public static T? ReadOrNull<T>(string? json) where T : class => json is null ? null : Read<T>(json);

    public static JsonObject ReadObject(string json) => JsonNode.Parse(json)?.AsObject() ?? [];

    public static JsonObject? ReadObjectOrNull(string? json) => json is null ? null : ReadObject(json);
}

/// <summary>Timestamps are stored as UTC unix milliseconds: sortable, comparable and the same on every provider.</summary>
internal static class StoreTime
{
    public static long ToMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static long? ToMs(DateTimeOffset? value) => value?.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromMs(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    public static DateTimeOffset? FromMs(long? value) => value is { } ms ? FromMs(ms) : null;
}

/// <summary>Costs are stored as whole nano-dollars (engine costs are rounded to them), so SQL and C# sums agree exactly.</summary>
internal static class Nanos
{
    private const decimal PerDollar = 1_000_000_000m;

    public static long? From(decimal? usd) => usd is { } amount ? (long)decimal.Round(amount * PerDollar) : null;

    public static decimal? ToUsd(long? nanos) => nanos is { } n ? n / PerDollar : null;
}
