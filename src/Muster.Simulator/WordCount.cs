namespace Muster.Simulator;

/// <summary>Word counts stand in for token counts: deterministic, cheap, and close enough for usage accounting tests.</summary>
internal static class WordCount
{
    public static int Of(string? text)
    {
        if (text is null)
        {
            return 0;
        }

        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var isSpace = char.IsWhiteSpace(c);
            if (!isSpace && !inWord)
            {
                count++;
            }

            inWord = !isSpace;
        }

        return count;
    }

    public static int Of(IReadOnlyList<SimulatedMessage> messages)
    {
        var total = 0;
        foreach (var message in messages)
        {
            total += Of(message.Content);
        }

        return total;
    }
}
