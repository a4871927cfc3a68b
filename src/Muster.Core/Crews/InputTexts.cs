using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Muster.Core.Crews;

/// <summary>
/// A run's long inputs, to keep them out of the JSON texts that repeat them. An input is filled into prompts, roles and
/// descriptions, which a run's events and task outputs repeat: stored as they are, one input of 0.9 MB became 31 MB. <see cref="Pack"/>
/// replaces every occurrence of a long input (and of the whole inputs object) in a JSON text with a short reference, and
/// <see cref="Unpack"/> puts it back, so a reader gets exactly what was packed. The references are made of U+E000 and
/// U+E001, which no JSON text written by System.Text.Json's default encoder holds: it escapes every character outside Basic
/// Latin. So a text without U+E000 was not packed, and telling costs one search for a character.
/// </summary>
/// <remarks>
/// The long inputs are derived from the inputs' JSON text alone, the same way every time, so a reference always resolves to
/// what it replaced. Values are rendered as <see cref="CrewInterpolator"/> fills them in, so their copies in prompts are found;
/// a copy written differently is only left longhand, never read back wrong.
/// </remarks>
public sealed class InputTexts
{
    /// <summary>Shorter texts are left as they are: a reference would save next to nothing.</summary>
    public const int MinLength = 128;

    private const char Open = '\uE000';
    private const char Close = '\uE001';

    /// <summary>No long inputs: <see cref="Pack"/> changes nothing.</summary>
    public static readonly InputTexts None = new([]);

    // Index 0 is the inputs object's JSON text, index i > 0 the i-th input's value, each as it appears escaped in JSON.
    private readonly (int Index, string Escaped)[] _longestFirst;
    private readonly Dictionary<int, string> _byIndex;

    private InputTexts((int Index, string Escaped)[] texts)
    {
        _longestFirst = [.. texts.OrderByDescending(t => t.Escaped.Length)];
        _byIndex = texts.ToDictionary(t => t.Index, t => t.Escaped);
        Weight = texts.Sum(t => (long)t.Escaped.Length);
    }

    /// <summary>The characters held (what a cache of these pays).</summary>
    public long Weight { get; }

    /// <summary>True when there is nothing to pack: no input is long.</summary>
    public bool IsEmpty => _longestFirst.Length == 0;

    /// <summary>The long inputs of a run whose inputs' JSON text (as System.Text.Json writes it) is <paramref name="inputsJson"/>.</summary>
    public static InputTexts From(string inputsJson)
    {
        if (inputsJson.Length < MinLength || JsonNode.Parse(inputsJson) is not JsonObject inputs)
        {
            return None;
        }

        var texts = new List<(int, string)> { (0, inputsJson) };
        var index = 1;
        foreach (var (_, value) in inputs)
        {
            var escaped = JsonEncodedText.Encode(CrewInterpolator.Render(value)).Value;
            if (escaped.Length >= MinLength)
            {
                texts.Add((index, escaped));
            }

            index++;
        }

        return new InputTexts([.. texts]);
    }

    /// <summary>True when <paramref name="stored"/> holds references (it was packed).</summary>
    public static bool IsPacked(string? stored) => stored is not null && stored.Contains(Open, StringComparison.Ordinal);

    /// <summary><paramref name="json"/> (written by System.Text.Json's default encoder) with the long inputs replaced by references.</summary>
    public string Pack(string json)
    {
        if (_longestFirst.Length == 0 || json.Length < MinLength)
        {
            return json;
        }

        foreach (var (index, escaped) in _longestFirst)
        {
            if (json.Contains(escaped, StringComparison.Ordinal))
            {
                json = json.Replace(escaped, Open + index.ToString(CultureInfo.InvariantCulture) + Close, StringComparison.Ordinal);
            }
        }

        return json;
    }

    /// <summary>The text <see cref="Pack"/> was given.</summary>
    /// <exception cref="InvalidDataException">A reference names an input the run does not have (the stored data was changed).</exception>
    public string Unpack(string stored)
    {
        var open = stored.IndexOf(Open, StringComparison.Ordinal);
        if (open < 0)
        {
            return stored;
        }

        var text = new StringBuilder(stored.Length);
        var start = 0;
        while (open >= 0)
        {
            var close = stored.IndexOf(Close, open + 1);
            if (close < 0 || !int.TryParse(stored.AsSpan(open + 1, close - open - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || !_byIndex.TryGetValue(index, out var escaped))
            {
                throw new InvalidDataException("A stored text refers to an input its run does not have.");
            }

            text.Append(stored, start, open - start).Append(escaped);
            start = close + 1;
            open = stored.IndexOf(Open, start);
        }

        return text.Append(stored, start, stored.Length - start).ToString();
    }

    /// <summary>Unpacks <paramref name="stored"/> when it was packed; null stays null.</summary>
    public string? UnpackOrNull(string? stored) => stored is null ? null : Unpack(stored);

}

