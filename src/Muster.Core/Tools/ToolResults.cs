using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Muster.Core.Tools;

/// <summary>How a tool's result reads to the model and in the run's events.</summary>
public static class ToolResults
{
    /// <summary>A tool's result as the text the model reads: strings raw, everything else as JSON.</summary>
    public static string Text(object? result) => result switch
    {
        null => "",
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? "",
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.GetType())),
    };
}
