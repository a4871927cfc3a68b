using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Muster.Contracts;

/// <summary>
/// Writes a <see cref="DateTimeOffset"/> as the API, the events and the webhooks write every timestamp (<see cref="Format"/>):
/// UTC, ISO 8601, ending in <c>Z</c> (<c>2026-12-01T12:00:00.1234567Z</c>), not with the <c>+00:00</c> System.Text.Json
/// gives it. Reads any ISO 8601 offset.
/// </summary>
public sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>The one text form of a timestamp on the wire: UTC, ISO 8601 round-trip format, ending in <c>Z</c>.</summary>
    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(Format(value));
    }
}
