using System.Text.Json.Nodes;

namespace Muster.Simulator;

/// <summary>A tool call the simulator asks the client to run; <paramref name="Id"/> defaults to a generated <c>call_…</c> id.</summary>
public sealed record SimulatedToolCall(string Name, string ArgumentsJson, string? Id = null);

/// <summary>A chat completion request as the simulator received it.</summary>
/// <param name="Model">The requested model id.</param>
/// <param name="Body">The full JSON body.</param>
/// <param name="Messages">The messages with their text content (parts joined).</param>
/// <param name="ToolNames">Names of the function tools offered.</param>
/// <param name="ResponseFormat">The <c>response_format</c> object, when present.</param>
public sealed record SimulatedRequest(
    string Model,
    JsonObject Body,
    IReadOnlyList<SimulatedMessage> Messages,
    IReadOnlyList<string> ToolNames,
    JsonObject? ResponseFormat)
{
    /// <summary>The text of the last user message, or null when there is none.</summary>
    public string? LastUserMessage
    {
        get
        {
            for (var i = Messages.Count - 1; i >= 0; i--)
            {
                if (Messages[i].Role == "user")
                {
                    return Messages[i].Content;
                }
            }

            return null;
        }
    }

    /// <summary>Whether any message's text contains <paramref name="text"/> (ordinal).</summary>
    public bool Mentions(string text) => Messages.Any(m => m.Content?.Contains(text, StringComparison.Ordinal) == true);
}

/// <summary>One message of a chat request: its role and text content (null for e.g. assistant tool-call turns).</summary>
public sealed record SimulatedMessage(string Role, string? Content);
