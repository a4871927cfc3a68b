using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Muster.Simulator;

/// <summary>Writes OpenAI-shaped JSON straight to the response pipe, without building an object graph per answer.</summary>
internal static class ResponseWriter
{
    public static async Task WriteCompletionAsync(
        HttpContext context, string id, long created, string model, string? content,
        IReadOnlyList<(string Id, string Name, string Arguments)>? toolCalls, Usage usage)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteString("object", "chat.completion");
            json.WriteNumber("created", created);
            json.WriteString("model", model);
            json.WriteString("system_fingerprint", "muster-simulator");
            json.WriteStartArray("choices");
            json.WriteStartObject();
            json.WriteNumber("index", 0);
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteString("content", content);
            json.WriteNull("refusal");
            if (toolCalls is not null)
            {
                json.WriteStartArray("tool_calls");
                foreach (var call in toolCalls)
                {
                    json.WriteStartObject();
                    json.WriteString("id", call.Id);
                    json.WriteString("type", "function");
                    json.WriteStartObject("function");
                    json.WriteString("name", call.Name);
                    json.WriteString("arguments", call.Arguments);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteNull("logprobs");
            json.WriteString("finish_reason", toolCalls is null ? "stop" : "tool_calls");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", usage.PromptTokens);
            json.WriteNumber("completion_tokens", usage.CompletionTokens);
            json.WriteNumber("total_tokens", usage.PromptTokens + usage.CompletionTokens);
            json.WriteStartObject("prompt_tokens_details");
            json.WriteNumber("cached_tokens", usage.CachedPromptTokens);
            json.WriteEndObject();
            json.WriteStartObject("completion_tokens_details");
            json.WriteNumber("reasoning_tokens", 0);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public static async Task WriteErrorAsync(HttpContext context, int statusCode, string message, TimeSpan? retryAfter = null)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        if (retryAfter is { } wait)
        {
            // Retry-After only carries whole seconds; retry-after-ms (read by the OpenAI SDKs) keeps the precision tests need.
            context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["retry-after-ms"] = ((long)wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }

        var (type, code) = statusCode switch
        {
            401 => ("invalid_request_error", "invalid_api_key"),
            403 => ("invalid_request_error", "permission_denied"),
            404 => ("invalid_request_error", "model_not_found"),
            429 => ("requests", "rate_limit_exceeded"),
            >= 500 => ("server_error", "server_error"),
            _ => ("invalid_request_error", "invalid_request"),
        };

        using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", type);
            json.WriteNull("param");
            json.WriteString("code", code);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public static async Task WriteModelsAsync(HttpContext context, IReadOnlyList<string> models)
    {
        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var model in models)
            {
                json.WriteStartObject();
                json.WriteString("id", model);
                json.WriteString("object", "model");
                json.WriteNumber("created", 0);
                json.WriteString("owned_by", "muster-simulator");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}

/// <summary>Token figures reported with every answer.</summary>
internal readonly record struct Usage(int PromptTokens, int CompletionTokens, int CachedPromptTokens);
