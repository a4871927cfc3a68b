using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Muster.Server.Console;

/// <summary>Markup the console built itself. Only <see cref="Html.Render"/> and the page templates make one.</summary>
internal readonly record struct Markup(string Value)
{
    public static readonly Markup Empty = new(string.Empty);

    public override string ToString() => Value;
}

/// <summary>
/// HTML from interpolated strings in which every hole is encoded unless it is <see cref="Markup"/>: a run's inputs, an
/// LLM's answer or a file name can only ever become text. Writing markup from untrusted text takes no step at all;
/// writing it unencoded is impossible short of constructing a <see cref="Markup"/> by hand.
/// </summary>
internal static class Html
{
    /// <summary>Encodes &lt;, &gt;, &amp;, quotes and the like; leaves letters of every script readable.</summary>
    public static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static Markup Render(ref HtmlHandler html) => new(html.ToStringAndClear());

    public static Markup Join(IEnumerable<Markup> parts) => new(string.Concat(parts.Select(part => part.Value)));

    public static Markup When(bool condition, Markup markup) => condition ? markup : Markup.Empty;

    /// <summary>A time the viewer's browser shows in its own zone; the UTC time is in its title and stays the text without script.</summary>
    public static Markup Time(DateTimeOffset? time)
    {
        if (time is not { } value)
        {
            return new Markup("–");
        }

        var iso = value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var utc = value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        return Render($"<time datetime=\"{iso}\" title=\"{utc}\">{utc}</time>");
    }
}

[InterpolatedStringHandler]
internal ref struct HtmlHandler
{
    private readonly StringBuilder _builder;

    public HtmlHandler(int literalLength, int formattedCount)
    {
        _builder = new StringBuilder(literalLength + (formattedCount * 16));
    }

    public readonly void AppendLiteral(string value) => _builder.Append(value);

    public readonly void AppendFormatted(Markup value) => _builder.Append(value.Value);

    public readonly void AppendFormatted(string? value) => _builder.Append(Html.Encoder.Encode(value ?? string.Empty));

    public readonly void AppendFormatted<T>(T value) => AppendFormatted(value, null);

    public readonly void AppendFormatted<T>(T value, string? format) =>
        _builder.Append(Html.Encoder.Encode(value is IFormattable formattable ? formattable.ToString(format, CultureInfo.InvariantCulture) : value?.ToString() ?? string.Empty));

    internal readonly string ToStringAndClear()
    {
        var text = _builder.ToString();
        _builder.Clear();
        return text;
    }
}
