using Microsoft.Extensions.AI;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Muster.Tools.Mcp;

/// <summary>
/// An MCP tool as the agent loop sees it: the result is the tool's text, and a result the server marks as an error
/// is thrown, so the loop reports it as a tool error (the agent still reads it and carries on).
/// </summary>
internal sealed class McpToolFunction(McpClientTool tool) : DelegatingAIFunction(tool)
{
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var result = await tool.CallAsync(arguments, cancellationToken: cancellationToken);
        var text = string.Join("\n", result.Content.Select(block => block switch
        {
            TextContentBlock textBlock => textBlock.Text,
            _ => $"[{block.Type} content]",
        }));
        if (text.Length == 0 && result.StructuredContent is { } structured)
        {
            text = structured.ToString();
        }

        return result.IsError == true ? throw new InvalidOperationException(text.Length > 0 ? text : "The MCP tool reported an error.") : text;
    }
}
