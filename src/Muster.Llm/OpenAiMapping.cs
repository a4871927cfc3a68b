using System.Text.Json;
using Microsoft.Extensions.AI;
using Muster.Core.Tools;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;
using OpenAiChatMessage = OpenAI.Chat.ChatMessage;

namespace Muster.Llm;

/// <summary>Translates between Microsoft.Extensions.AI's chat model and the OpenAI package's chat completions.</summary>
internal static class OpenAiMapping
{
    public static List<OpenAiChatMessage> ToOpenAi(IEnumerable<AiChatMessage> messages)
    {
        var result = new List<OpenAiChatMessage>();
        foreach (var message in messages)
        {
            if (message.Role == AiChatRole.System)
            {
                result.Add(new SystemChatMessage(message.Text));
            }
            else if (message.Role == AiChatRole.User)
            {
                result.Add(new UserChatMessage(message.Text));
            }
            else if (message.Role == AiChatRole.Assistant)
            {
                result.Add(ToAssistant(message));
            }
            else if (message.Role == AiChatRole.Tool)
            {
                result.AddRange(message.Contents.OfType<FunctionResultContent>().Select(r => new ToolChatMessage(r.CallId, ToolResults.Text(r.Result))));
            }
        }

        return result;
    }

    public static ChatCompletionOptions ToOpenAi(ChatOptions? options)
    {
        var result = new ChatCompletionOptions
        {
            Temperature = options?.Temperature,
            MaxOutputTokenCount = options?.MaxOutputTokens,
            TopP = options?.TopP,
        };
        foreach (var tool in options?.Tools?.OfType<AIFunctionDeclaration>() ?? [])
        {
            result.Tools.Add(ChatTool.CreateFunctionTool(tool.Name, tool.Description, BinaryData.FromString(tool.JsonSchema.GetRawText())));
        }

        // Not strict: OpenAI's strict mode accepts only a subset of JSON Schema, and Muster validates the answer itself.
        result.ResponseFormat = options?.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } json => OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(
                json.SchemaName ?? "output", BinaryData.FromString(schema.GetRawText()), json.SchemaDescription, jsonSchemaIsStrict: false),
            ChatResponseFormatJson => OpenAI.Chat.ChatResponseFormat.CreateJsonObjectFormat(),
            _ => null,
        };

        return result;
    }

    public static ChatResponse ToResponse(ChatCompletion completion)
    {
        var contents = new List<AIContent>();
        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        if (text.Length > 0)
        {
            contents.Add(new TextContent(text));
        }

        contents.AddRange(completion.ToolCalls.Select(ToFunctionCall));
        var usage = completion.Usage;
        return new ChatResponse(new AiChatMessage(AiChatRole.Assistant, contents))
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = completion.FinishReason switch
            {
                OpenAI.Chat.ChatFinishReason.Stop => Microsoft.Extensions.AI.ChatFinishReason.Stop,
                OpenAI.Chat.ChatFinishReason.Length => Microsoft.Extensions.AI.ChatFinishReason.Length,
                OpenAI.Chat.ChatFinishReason.ToolCalls or OpenAI.Chat.ChatFinishReason.FunctionCall => Microsoft.Extensions.AI.ChatFinishReason.ToolCalls,
                OpenAI.Chat.ChatFinishReason.ContentFilter => Microsoft.Extensions.AI.ChatFinishReason.ContentFilter,
                _ => null,
            },
            Usage = usage is null ? null : new UsageDetails
            {
                InputTokenCount = usage.InputTokenCount,
                OutputTokenCount = usage.OutputTokenCount,
                TotalTokenCount = usage.TotalTokenCount,
                CachedInputTokenCount = usage.InputTokenDetails?.CachedTokenCount,
            },
        };
    }

    private static AssistantChatMessage ToAssistant(AiChatMessage message)
    {
        var calls = message.Contents.OfType<FunctionCallContent>()
            .Select(c => ChatToolCall.CreateFunctionToolCall(
                c.CallId,
                c.Name,
                BinaryData.FromString(JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))))))
            .ToList();
        if (calls.Count == 0)
        {
            return new AssistantChatMessage(message.Text);
        }

        var assistant = new AssistantChatMessage(calls);
        if (!string.IsNullOrEmpty(message.Text))
        {
            assistant.Content.Add(ChatMessageContentPart.CreateTextPart(message.Text));
        }

        return assistant;
    }

    private static FunctionCallContent ToFunctionCall(ChatToolCall call)
    {
        var json = call.FunctionArguments?.ToString();
        try
        {
            var arguments = string.IsNullOrWhiteSpace(json)
                ? new Dictionary<string, object?>()
                : JsonSerializer.Deserialize<Dictionary<string, object?>>(json, AIJsonUtilities.DefaultOptions);
            return new FunctionCallContent(call.Id, call.FunctionName, arguments);
        }
        catch (JsonException ex)
        {
            return new FunctionCallContent(call.Id, call.FunctionName) { Exception = ex };
        }
    }
}
