using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Muster.Core.Crews;
using Muster.Server.Tokens;

namespace Muster.Server.Protocols.A2a;

/// <summary>
/// A crew's agent card, readable by v1.0 clients (<c>supportedInterfaces</c>: the v1.0 JSON-RPC interface and a v0.3 one)
/// and by v0.3 clients (<c>url</c>, <c>protocolVersion</c>, <c>preferredTransport</c>).
/// </summary>
internal static class A2aAgentCard
{
    public static IResult Answer(HttpContext context, MusterPrincipal principal, ProtocolRuns runs, string? crewName)
    {
        var crew = runs.Crew(principal, crewName);
        if (crew is null)
        {
            return TypedResults.Problem(
                crewName is null ? "No default crew: set Muster:DefaultCrew, or read /crews/{crew}/.well-known/agent-card.json." : $"Crew '{crewName}' not found (or not covered by this token).",
                statusCode: StatusCodes.Status404NotFound);
        }

        var options = context.RequestServices.GetRequiredService<IOptions<ProtocolOptions>>().Value;
        var baseUrl = string.IsNullOrEmpty(options.PublicBaseUrl) ? $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}" : options.PublicBaseUrl.TrimEnd('/');
        return Results.Text(Build(crew, $"{baseUrl}/crews/{Uri.EscapeDataString(crew.Name)}/a2a").ToJsonString(), "application/json");
    }

    public static JsonObject Build(CrewDefinition crew, string url)
    {
        var modes = new JsonArray("text/plain", "application/json");
        return new JsonObject
        {
            ["name"] = crew.Name,
            ["description"] = CrewDescriptions.Describe(crew),
            ["version"] = "1.0.0",
            ["supportedInterfaces"] = new JsonArray(
                new JsonObject { ["url"] = url, ["protocolBinding"] = "JSONRPC", ["protocolVersion"] = "1.0" },
                new JsonObject { ["url"] = url, ["protocolBinding"] = "JSONRPC", ["protocolVersion"] = "0.3" }),
            ["url"] = url,
            ["protocolVersion"] = "0.3.0",
            ["preferredTransport"] = "JSONRPC",
            ["capabilities"] = new JsonObject { ["streaming"] = true, ["pushNotifications"] = true },
            ["securitySchemes"] = new JsonObject
            {
                ["bearer"] = new JsonObject
                {
                    ["type"] = "http",
                    ["scheme"] = "bearer",
                    ["description"] = "A Muster bearer token.",
                    ["httpAuthSecurityScheme"] = new JsonObject { ["scheme"] = "Bearer", ["description"] = "A Muster bearer token." },
                },
            },
            ["security"] = new JsonArray(new JsonObject { ["bearer"] = new JsonArray() }),
            ["securityRequirements"] = new JsonArray(new JsonObject { ["schemes"] = new JsonObject { ["bearer"] = new JsonObject { ["list"] = new JsonArray() } } }),
            ["defaultInputModes"] = modes.DeepClone(),
            ["defaultOutputModes"] = modes.DeepClone(),
            ["skills"] = new JsonArray([.. crew.Tasks.Select(task => (JsonNode)new JsonObject
            {
                ["id"] = task.Name,
                ["name"] = task.Name,
                ["description"] = task.Description,
                ["tags"] = new JsonArray("crew", crew.Name),
                ["inputModes"] = modes.DeepClone(),
                ["outputModes"] = modes.DeepClone(),
            })]),
        };
    }
}
