using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Muster.Server.Webhooks;

namespace Muster.Server.Hosting;

/// <summary>
/// The bodies Muster POSTs to the URLs a kickoff names, as the OpenAPI document's <c>webhooks</c> (OpenAPI 3.1): the AMP
/// step, task and crew webhooks, the human-input webhook, and the event stream. Their schemas come from the same
/// source-generated contracts the dispatcher writes them with (<see cref="WebhookJsonContext"/>), so they name every field
/// that is sent.
/// </summary>
internal static class ApiDocWebhooks
{
    private const string Acknowledged =
        "Any 2xx acknowledges the delivery. Anything else, or no answer, is retried with backoff (no sooner than the receiver's " +
        "Retry-After, when it sends one) until the delivery's retry period ends (docs/API.md).";

    private static readonly (string Name, Type Payload, string Summary)[] Bodies =
    [
        ("step", typeof(StepPayload), "`stepWebhookUrl`: after each step an agent takes (a thought, a tool call and its result)."),
        ("task", typeof(TaskPayload), "`taskWebhookUrl`: after each task completes."),
        ("crew", typeof(CrewPayload), "`crewWebhookUrl`: once, when the run ends; `status` and `error` only when it failed or was stopped."),
        ("human_input", typeof(HumanInputPayload), "`humanInputWebhook.url`: a task's output waits for review (answer with POST /resume)."),
    ];

    /// <summary>
    /// Lets the document's schema generator read the webhook bodies' contracts, ahead of the reflection resolver (which would
    /// name their fields in camel case, not as they are sent). No endpoint returns these types.
    /// </summary>
    public static void AddContracts(JsonSerializerOptions options)
    {
        var chain = options.TypeInfoResolverChain;
        var reflection = chain.ToList().FindIndex(resolver => resolver is DefaultJsonTypeInfoResolver);
        chain.Insert(reflection < 0 ? chain.Count : reflection, WebhookJsonContext.Default);
    }

    public static async Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Webhooks ??= new Dictionary<string, IOpenApiPathItem>();
        foreach (var (name, payload, summary) in Bodies)
        {
            document.Webhooks[name] = Post(summary, await context.GetOrCreateSchemaAsync(payload, cancellationToken: cancellationToken));
        }

        var streamEvent = await context.GetOrCreateSchemaAsync(typeof(StreamEventPayload), cancellationToken: cancellationToken);
        document.Webhooks["events"] = Post(
            "`webhooks.url`: the run's events, in order, filtered by `webhooks.events`; batched, or one per request when `realtime` is true.",
            new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string>(StringComparer.Ordinal) { "events" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["events"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = streamEvent },
                },
            });
    }

    private static OpenApiPathItem Post(string summary, IOpenApiSchema body) => new()
    {
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Post] = new OpenApiOperation
            {
                Summary = summary,
                Description = "Signed: `Muster-Signature` is `t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with the webhook secret>`, " +
                    "so a receiver can refuse replays; `Muster-Event-Id` is the same for every attempt of one delivery, so it can drop repeats.",
                RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = body } },
                },
                Responses = new OpenApiResponses { ["2XX"] = new OpenApiResponse { Description = Acknowledged } },
            },
        },
    };
}
