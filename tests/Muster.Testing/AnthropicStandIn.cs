using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Muster.Testing;

/// <summary>
/// A loopback stand-in of Anthropic's Messages API (<c>POST /v1/messages</c>, not streamed) that answers from a script, as
/// <c>LlmSimulator</c> stands in for OpenAI. With the script empty it answers a short text.
/// </summary>
public sealed class AnthropicStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<AnthropicReply> _script = new();
    private readonly List<AnthropicRequest> _requests = [];
    private readonly Lock _requestsLock = new();
    private int _ids;

    private AnthropicStandIn(WebApplication app) => _app = app;

    /// <summary>The base URL to configure (<c>Muster:Llm:Providers:anthropic:BaseUrl</c>): the root, without <c>/v1</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<AnthropicRequest> Requests
    {
        get
        {
            lock (_requestsLock)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<AnthropicStandIn> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var standIn = new AnthropicStandIn(app);
        app.UseRouting();
        app.MapPost("/v1/messages", (RequestDelegate)standIn.AnswerAsync);
        await app.StartAsync();
        standIn.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return standIn;
    }

    /// <summary>Queues scripted answers, used first-in first-out.</summary>
    public void Enqueue(params AnthropicReply[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(reply);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!.AsObject();
        var apiKey = context.Request.Headers["x-api-key"].FirstOrDefault()
            ?? context.Request.Headers.Authorization.FirstOrDefault()?.Replace("Bearer ", "", StringComparison.Ordinal);
        lock (_requestsLock)
        {
            _requests.Add(new AnthropicRequest(body, apiKey, context.Request.Headers["anthropic-version"].FirstOrDefault()));
        }

        if (body["stream"]?.GetValue<bool>() == true)
        {
            await WriteAsync(context, 400, Error("invalid_request_error", "the stand-in does not stream"));
            return;
        }

        var model = body["model"]?.GetValue<string>() ?? "";
        switch (_script.TryDequeue(out var reply) ? reply : AnthropicReply.Text("A stand-in answer."))
        {
            case AnthropicErrorReply error:
                if (error.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers["retry-after"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await WriteAsync(context, error.Status, Error(error.Type, error.Message));
                break;
            case AnthropicToolUseReply tools:
                var blocks = new JsonArray();
                foreach (var (name, input) in tools.Calls)
                {
                    blocks.Add(new JsonObject { ["type"] = "tool_use", ["id"] = $"toolu_{Interlocked.Increment(ref _ids):D4}", ["name"] = name, ["input"] = JsonNode.Parse(input) });
                }

                await WriteAsync(context, 200, Message(model, blocks, "tool_use", AnthropicUsage.Small));
                break;
            case AnthropicTextReply text:
                await WriteAsync(context, 200, Message(model, [new JsonObject { ["type"] = "text", ["text"] = text.Content }], "end_turn", text.Usage));
                break;
        }
    }

    private JsonObject Message(string model, JsonArray content, string stopReason, AnthropicUsage usage) => new()
    {
        ["id"] = $"msg_{Interlocked.Increment(ref _ids):D4}",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = model,
        ["content"] = content,
        ["stop_reason"] = stopReason,
        ["stop_sequence"] = null,
        ["usage"] = new JsonObject
        {
            ["input_tokens"] = usage.InputTokens,
            ["output_tokens"] = usage.OutputTokens,
            ["cache_read_input_tokens"] = usage.CacheReadInputTokens,
            ["cache_creation_input_tokens"] = usage.CacheCreationInputTokens,
        },
    };

    private static JsonObject Error(string type, string message) =>
        new() { ["type"] = "error", ["error"] = new JsonObject { ["type"] = type, ["message"] = message } };

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}

/// <summary>One request the stand-in received: its JSON body, the key it carried and its <c>anthropic-version</c>.</summary>
public sealed record AnthropicRequest(JsonObject Body, string? ApiKey, string? Version)
{
    public string Model => Body["model"]!.GetValue<string>();

    public IReadOnlyList<string> ToolNames => Body["tools"]?.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToList() ?? [];

    /// <summary>The <c>tool_result</c> blocks of every user message, as (tool_use_id, content text).</summary>
    public IReadOnlyList<(string Id, string Content)> ToolResults =>
        Body["messages"]!.AsArray()
            .SelectMany(m => m!["content"] is JsonArray blocks ? blocks : [])
            .Where(b => b!["type"]?.GetValue<string>() == "tool_result")
            .Select(b => (b!["tool_use_id"]!.GetValue<string>(), ContentText(b["content"])))
            .ToList();

    /// <summary>The system prompt and every message's text, joined: what the model was told.</summary>
    public string AllText => string.Join("\n", new[] { ContentText(Body["system"]) }.Concat(Body["messages"]!.AsArray().Select(m => ContentText(m!["content"]))));

    private static string ContentText(JsonNode? content) => content switch
    {
        null => "",
        JsonValue value => value.GetValue<string>(),
        JsonArray blocks => string.Concat(blocks.Select(b => b!["text"]?.GetValue<string>() ?? (b["content"] is { } inner ? ContentText(inner) : ""))),
        _ => content.ToJsonString(),
    };
}
