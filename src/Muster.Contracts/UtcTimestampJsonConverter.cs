using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Muster.Contracts;

/// <summary>
/// Writes a <see cref="DateTimeOffset"/> as the API writes every timestamp: UTC, ISO 8601, ending in <c>Z</c>
/// (<c>2026-12-01T12:00:00.1234567Z</c>), not with the <c>+00:00</c> System.Text.Json gives it. Reads any ISO 8601 offset.
/// </summary>
public sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc/>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
    }
}
