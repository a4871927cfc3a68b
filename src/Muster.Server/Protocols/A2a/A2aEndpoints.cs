using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Muster.Server.Tokens;

namespace Muster.Server.Protocols.A2a;

/// <summary>
/// A2A over JSON-RPC at <c>/crews/{crew}/a2a</c> (v1.0 methods; v0.3's too when <c>A2A-Version</c> is absent or 0.3), and the
/// agent cards. Every error is a JSON-RPC error with HTTP 200, as JSON-RPC clients expect.
/// </summary>
internal static class A2aEndpoints
{
    public const string VersionHeader = "A2A-Version";

    private static readonly Dictionary<string, string> V1Methods = new(StringComparer.Ordinal)
    {
        ["SendMessage"] = "send",
        ["SendStreamingMessage"] = "stream",
        ["GetTask"] = "get",
        ["CancelTask"] = "cancel",
        ["SubscribeToTask"] = "subscribe",
        ["CreateTaskPushNotificationConfig"] = A2aPushMethods.Set,
        ["GetTaskPushNotificationConfig"] = A2aPushMethods.Get,
        ["ListTaskPushNotificationConfigs"] = A2aPushMethods.List,
        ["DeleteTaskPushNotificationConfig"] = A2aPushMethods.Delete,
    };

    private static readonly Dictionary<string, string> V03Methods = new(StringComparer.Ordinal)
    {
        ["message/send"] = "send",
        ["message/stream"] = "stream",
        ["tasks/get"] = "get",
        ["tasks/cancel"] = "cancel",
        ["tasks/resubscribe"] = "subscribe",
        ["tasks/pushNotificationConfig/set"] = A2aPushMethods.Set,
        ["tasks/pushNotificationConfig/get"] = A2aPushMethods.Get,
        ["tasks/pushNotificationConfig/list"] = A2aPushMethods.List,
        ["tasks/pushNotificationConfig/delete"] = A2aPushMethods.Delete,
    };

    public static void Map(WebApplication app)
    {
        app.MapPost("/crews/{crew}/a2a", HandleAsync).WithTags("A2A").WithSummary("A2A JSON-RPC endpoint of a crew");
        app.MapGet("/crews/{crew}/.well-known/agent-card.json", (string crew, HttpContext context, MusterPrincipal principal, ProtocolRuns runs) =>
            A2aAgentCard.Answer(context, principal, runs, crew)).WithTags("A2A").WithSummary("A crew's A2A agent card");
        app.MapGet("/.well-known/agent-card.json", (HttpContext context, MusterPrincipal principal, ProtocolRuns runs) =>
            A2aAgentCard.Answer(context, principal, runs, null)).WithTags("A2A").WithSummary("The default crew's A2A agent card");
    }

    private static async Task HandleAsync(string crew, HttpContext context, MusterPrincipal principal, ProtocolRuns runs, CancellationToken cancellationToken)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            await WriteAsync(context, A2aErrors.Response(null, A2aErrors.ParseError, $"Parse error: the body is not JSON ({ex.Message})"), cancellationToken);
            return;
        }

        if (body is not JsonObject request || request["jsonrpc"]?.ToString() != "2.0" || request["method"] is not JsonValue methodValue
            || !methodValue.TryGetValue<string>(out var method))
        {
            await WriteAsync(context, A2aErrors.Response((body as JsonObject)?["id"], A2aErrors.InvalidRequest,
                "Invalid request: a JSON-RPC 2.0 request object with \"jsonrpc\": \"2.0\" and a \"method\" is expected."), cancellationToken);
            return;
        }

        var id = request["id"];
        var version = context.Request.Headers[VersionHeader].ToString();
        var acceptsV03 = version.Length == 0 || version.StartsWith("0.3", StringComparison.Ordinal);
        string? operation;
        bool legacy;
        if (V1Methods.TryGetValue(method, out operation))
        {
            legacy = false;
        }
        else if (acceptsV03 && V03Methods.TryGetValue(method, out operation))
        {
            legacy = true;
        }
        else
        {
            await WriteAsync(context, A2aErrors.Response(id, A2aErrors.MethodNotFound, $"Method not found: '{method}'" +
                (acceptsV03 ? "." : $" (A2A-Version {version} takes the v1.0 methods: {string.Join(", ", V1Methods.Keys)})")), cancellationToken);
            return;
        }

        var definition = runs.Crew(principal, crew);
        if (definition is null)
        {
            await WriteAsync(context, A2aErrors.Response(id, A2aErrors.InvalidRequest, $"Crew '{crew}' not found (or not covered by this token)."), cancellationToken);
            return;
        }

        var call = new A2aCall(context, principal, runs, definition, id, request["params"] as JsonObject ?? [], new A2aWire(legacy));
        JsonObject? answer;
        try
        {
            answer = await call.RunAsync(operation, cancellationToken);
        }
        catch (TokenRevokedException revoked)
        {
            await call.EndRevokedAsync(revoked, cancellationToken);
            return;
        }

        if (answer is not null)
        {
            await WriteAsync(context, answer, cancellationToken);
        }
    }

    public static async Task WriteAsync(HttpContext context, JsonObject response, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(response.ToJsonString()), cancellationToken);
    }
}
