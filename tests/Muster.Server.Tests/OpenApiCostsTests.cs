using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Muster.Server.Tests.Costs;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// The served OpenAPI document (<c>/openapi/v1.json</c>, read over HTTP) describes what run economics added to the wire
/// (docs/COSTS.md): <c>cost_usd</c> in token usage, the kickoff's <c>budget</c>, tokens' <c>limits</c>, <c>GET /api/usage</c>
/// and the kickoffs' 429. Where the server can show it, the test holds the schema to what the server actually sends.
/// </summary>
public sealed class OpenApiCostsTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        Settings = SimulatedPrices.Settings(),
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TokenUsage_IsDescribedFieldByField_AsTheRunRecordSendsIt_WithANullableCost()
    {
        var document = await DocumentAsync();
        using var org = _server.CreateClient(_server.BootstrapToken);
        var id = await org.KickoffAsync(new JsonObject { ["topic"] = "tides" });
        await org.WaitForFinishAsync(id);
        var (_, record) = await org.GetJsonAsync($"/api/crew-runs/{id}");

        var usage = Schema(document, "TokenUsage");
        Types(usage["properties"]!["cost_usd"]!).ShouldBe(["null", "number"]);
        Required(usage).ShouldContain("cost_usd", "the server always writes cost_usd, null when unknown");
        ShouldDescribe(document, usage, record["token_usage"]!.AsObject());
        ShouldDescribe(document, usage, record["tasks"]![0]!["token_usage"]!.AsObject());
        ReferenceOf(Schema(document, "StatusResponse")["properties"]!["token_usage"]!).ShouldBe("TokenUsage");
        ReferenceOf(Schema(document, "CrewRunRecord")["properties"]!["token_usage"]!).ShouldBe("TokenUsage");
        ReferenceOf(Schema(document, "TaskUsageRecord")["properties"]!["token_usage"]!).ShouldBe("TokenUsage");
    }

    [Fact]
    public async Task TheKickoffsBudget_IsDescribedWithItsFourLimits_AndNoOtherField()
    {
        var document = await DocumentAsync();
        using var org = _server.CreateClient(_server.BootstrapToken);

        ReferenceOf(Schema(document, "KickoffRequest")["properties"]!["budget"]!).ShouldBe("CrewBudget");
        var budget = Schema(document, "CrewBudget");
        var limits = budget["properties"]!.AsObject();
        limits.Select(p => p.Key).ShouldBe(["max_total_tokens", "max_cost_usd", "max_llm_calls", "max_duration"]);
        Types(limits["max_total_tokens"]!).ShouldBe(["integer", "null"]);
        Types(limits["max_cost_usd"]!).ShouldBe(["null", "number"]);
        Types(limits["max_llm_calls"]!).ShouldBe(["integer", "null"]);
        Types(limits["max_duration"]!).ShouldBe(["null", "number", "string"]);
        budget["additionalProperties"]!.GetValue<bool>().ShouldBeFalse();

        // What the schema says, the server does: the four limits are taken, any other field is refused.
        using var kept = await org.PostKickoffAsync(Kickoff(new JsonObject
        {
            ["max_total_tokens"] = 100_000, ["max_cost_usd"] = 2.5, ["max_llm_calls"] = 50, ["max_duration"] = "10m",
        }));
        kept.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var refused = await org.PostKickoffAsync(Kickoff(new JsonObject { ["max_tokens"] = 100 }));
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TokenLimits_AreDescribedOnPostAndGetOfApiTokens_AsTheListSendsThem()
    {
        var document = await DocumentAsync();
        using var org = _server.CreateClient(_server.BootstrapToken);
        using var created = await org.PostAsync("/api/tokens", Json(new JsonObject
        {
            ["kind"] = "user", ["user_id"] = "alice",
            ["limits"] = new JsonObject { ["max_tokens_per_day"] = 200_000, ["max_cost_usd_per_day"] = 5, ["max_tokens_per_month"] = 3_000_000, ["max_cost_usd_per_month"] = 60.5 },
        }));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var listed = JsonNode.Parse(await org.GetStringAsync("/api/tokens"))!.AsArray().Single(t => t!["user_id"]?.GetValue<string>() == "alice")!;

        ReferenceOf(Schema(document, "CreateTokenRequest")["properties"]!["limits"]!).ShouldBe("TokenLimitsModel");
        ReferenceOf(Schema(document, "TokenInfo")["properties"]!["limits"]!).ShouldBe("TokenLimitsModel");
        var limits = Schema(document, "TokenLimitsModel");
        var properties = limits["properties"]!.AsObject();
        Types(properties["max_tokens_per_day"]!).ShouldBe(["integer", "null"]);
        Types(properties["max_cost_usd_per_day"]!).ShouldBe(["null", "number"]);
        Types(properties["max_tokens_per_month"]!).ShouldBe(["integer", "null"]);
        Types(properties["max_cost_usd_per_month"]!).ShouldBe(["null", "number"]);
        properties["max_tokens_per_day"]!["minimum"]!.GetValue<int>().ShouldBe(1);
        properties["max_cost_usd_per_month"]!["exclusiveMinimum"]!.GetValue<int>().ShouldBe(0);
        ShouldDescribe(document, limits, listed["limits"]!.AsObject());
        listed["limits"]!.AsObject().Count.ShouldBe(4);
    }

    [Fact]
    public async Task NoNumberInTheDocument_IsAlsoOfferedAsAString_BecauseTheServerRefusesNumbersInStrings()
    {
        var document = await DocumentAsync();
        using var org = _server.CreateClient(_server.BootstrapToken);

        var both = new List<string>();
        Walk(document, "$", (path, schema) =>
        {
            var types = Types(schema);
            if (types.Contains("string") && (types.Contains("integer") || types.Contains("number")))
            {
                both.Add(path);
            }
        });

        // max_duration alone takes both: seconds, or a text such as "10m".
        both.ShouldBe(["$.components.schemas.CrewBudget.properties.max_duration"]);
        using var quoted = await org.PostAsync("/api/tokens", Json(new JsonObject
        {
            ["kind"] = "user", ["user_id"] = "bob", ["limits"] = new JsonObject { ["max_tokens_per_day"] = "200000" },
        }));
        quoted.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TheUsageRoute_IsDescribedWithItsQuery_AndItsGroupsAsTheServerSendsThem()
    {
        var document = await DocumentAsync();
        using var org = _server.CreateClient(_server.BootstrapToken);
        var id = await org.KickoffAsync(new JsonObject { ["topic"] = "tides" });
        await org.WaitForFinishAsync(id);

        var operation = document["paths"]!["/api/usage"]!["get"]!;
        var parameters = operation["parameters"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!);
        parameters.Keys.ShouldBe(["from", "to", "group_by"]);
        parameters.Values.ShouldAllBe(p => p["in"]!.GetValue<string>() == "query");
        parameters["from"]["schema"]!["format"]!.GetValue<string>().ShouldBe("date-time");
        parameters["to"]["schema"]!["format"]!.GetValue<string>().ShouldBe("date-time");
        var groupings = parameters["group_by"]["schema"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
        groupings.ShouldBe(["crew", "model", "owner", "day"]);
        ReferenceOf(operation["responses"]!["200"]!["content"]!["application/json"]!["schema"]!).ShouldBe("UsageReport");
        ReferenceOf(operation["responses"]!["422"]!["content"]!["application/json"]!["schema"]!).ShouldBe("ValidationErrorResponse");
        var group = Schema(document, "UsageReportGroup");
        Types(group["properties"]!["cost_usd"]!).ShouldBe(["null", "number"]);
        Required(group).ShouldContain("cost_usd");

        // Every grouping the document offers is one the server takes, and each answers groups of the described shape.
        foreach (var grouping in groupings)
        {
            var (status, report) = await org.GetJsonAsync($"/api/usage?group_by={grouping}");
            status.ShouldBe(HttpStatusCode.OK, grouping);
            ShouldDescribe(document, Schema(document, "UsageReport"), report);
            ShouldDescribe(document, group, report["groups"]![0]!.AsObject());
        }

        var (refused, _) = await org.GetJsonAsync("/api/usage?group_by=week");
        refused.ShouldBe(HttpStatusCode.UnprocessableEntity);
    }

    [Theory]
    [InlineData("/kickoff")]
    [InlineData("/crews/{crew}/kickoff")]
    [InlineData("/api/crews/run")]
    [InlineData("/api/crews/run/custom")]
    public async Task EveryKickoffRoute_DescribesIts429_WithTheRetryAfterHeader(string route)
    {
        var document = await DocumentAsync();

        var tooMany = document["paths"]![route]!["post"]!["responses"]!["429"]!;
        var retryAfter = tooMany["headers"]!["Retry-After"]!;
        retryAfter["schema"]!["type"]!.GetValue<string>().ShouldBe("integer");
        tooMany["description"]!.GetValue<string>().ShouldContain("spending limit");
        ReferenceOf(tooMany["content"]!["application/json"]!["schema"]!).ShouldBe("ErrorResponse");
    }

    [Fact]
    public async Task EveryPathParameter_OfEveryRoute_IsDefined()
    {
        var document = await DocumentAsync();

        var missing = new List<string>();
        foreach (var (path, operations) in document["paths"]!.AsObject())
        {
            var names = path.Split('/').Where(s => s.StartsWith('{')).Select(s => s.Trim('{', '}'));
            foreach (var (method, operation) in operations!.AsObject())
            {
                var defined = operation!["parameters"]?.AsArray().Where(p => p!["in"]!.GetValue<string>() == "path").Select(p => p!["name"]!.GetValue<string>()) ?? [];
                missing.AddRange(names.Except(defined).Select(name => $"{method} {path}: {name}"));
            }
        }

        missing.ShouldBeEmpty();
        var crew = document["paths"]!["/crews/{crew}/kickoff"]!["post"]!["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "crew")!;
        crew["required"]!.GetValue<bool>().ShouldBeTrue();
    }

    private async Task<JsonObject> DocumentAsync()
    {
        using var anonymous = _server.CreateClient();
        return JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!.AsObject();
    }

    private static JsonObject Kickoff(JsonObject budget) => new() { ["inputs"] = new JsonObject { ["topic"] = "tides" }, ["budget"] = budget };

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static JsonObject Schema(JsonObject document, string name) =>
        document["components"]!["schemas"]![name]?.AsObject() ?? throw new ShouldAssertException($"The document has no schema {name}.");

    /// <summary>The component a property refers to, directly or as the non-null branch of a nullable reference.</summary>
    private static string? ReferenceOf(JsonNode property) =>
        property["$ref"]?.GetValue<string>().Split('/')[^1]
        ?? property["oneOf"]?.AsArray().Select(branch => branch!["$ref"]?.GetValue<string>()).OfType<string>().Single().Split('/')[^1];

    /// <summary>A schema's types, sorted (<c>type</c> is a name or a list of names).</summary>
    private static List<string> Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray many => [.. many.Select(t => t!.GetValue<string>()).Order(StringComparer.Ordinal)],
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };

    private static List<string> Required(JsonObject schema) => [.. schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? []];

    /// <summary>Each field of <paramref name="sent"/> is a property of <paramref name="schema"/> whose types admit its value.</summary>
    private static void ShouldDescribe(JsonObject document, JsonObject schema, JsonObject sent)
    {
        var properties = schema["properties"]!.AsObject();
        foreach (var (name, value) in sent)
        {
            var property = properties[name] ?? throw new ShouldAssertException($"The server sends {name}, which the schema does not describe.");
            var types = ReferenceOf(property) is { } reference ? Types(Schema(document, reference)) : Types(property);
            if (property["oneOf"] is not null)
            {
                types.Add("null");
            }

            var kind = value?.GetValueKind() switch
            {
                null or JsonValueKind.Null => "null",
                JsonValueKind.Number when value.GetValue<JsonElement>().TryGetInt64(out _) && types.Contains("integer") => "integer",
                JsonValueKind.Number => "number",
                JsonValueKind.String => "string",
                JsonValueKind.True or JsonValueKind.False => "boolean",
                JsonValueKind.Array => "array",
                _ => "object",
            };
            types.ShouldContain(kind, $"{name} is sent as {value?.ToJsonString() ?? "null"}");
        }

        foreach (var name in Required(schema))
        {
            sent.ContainsKey(name).ShouldBeTrue($"{name} is required by the schema but not sent");
        }
    }

    private static void Walk(JsonNode? node, string path, Action<string, JsonObject> visit)
    {
        switch (node)
        {
            case JsonObject obj:
                visit(path, obj);
                foreach (var (name, child) in obj)
                {
                    Walk(child, $"{path}.{name}", visit);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], $"{path}[{i}]", visit);
                }

                break;
        }
    }
}
