using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Muster.Storage;
using Muster.Testing;

namespace Muster.Server.Tests;

public sealed class AmpEndpointTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        Settings = new Dictionary<string, string?>
        {
            ["Muster:Limits:MaxRequestBodyBytes"] = "4096",
            // The stored URLs point at loopback, which the SSRF checks refuse unless told otherwise.
            ["Muster:Webhooks:AllowPrivateNetworks"] = "true",
        },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private HttpClient Org() => _server.CreateClient(_server.BootstrapToken);

    [Theory]
    [InlineData("")]
    [InlineData("/crews/research")]
    public async Task Inputs_ListsExactlyThePlaceholders(string prefix)
    {
        using var client = Org();
        var (status, body) = await client.GetJsonAsync(prefix + "/inputs");
        status.ShouldBe(HttpStatusCode.OK);
        body.ToJsonString().ShouldBe("""{"inputs":["topic"]}""");
    }

    [Fact]
    public async Task Inputs_OfAnUnknownCrew_Returns404()
    {
        using var client = Org();
        var (status, body) = await client.GetJsonAsync("/crews/nope/inputs");
        status.ShouldBe(HttpStatusCode.NotFound);
        body["error"]!.GetValue<string>().ShouldBe("Crew not found");
    }

    [Theory]
    [InlineData("")]
    [InlineData("/crews/research")]
    public async Task Kickoff_ThenPoll_CompletesWithResultTasksAndUsage(string prefix)
    {
        using var client = Org();
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "tides" }, prefix);

        var done = await client.WaitForFinishAsync(id, prefix);

        done["status"]!.GetValue<string>().ShouldBe("completed", done.ToJsonString());
        done["state"]!.GetValue<string>().ShouldBe("SUCCESS");
        done["result"]!["output"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        var tasks = done["result"]!["tasks"]!.AsArray();
        tasks.Select(t => t!["task_id"]!.GetValue<string>()).ShouldBe(["research_task", "report_task"]);
        tasks[0]!["agent"]!.GetValue<string>().ShouldBe("tides Researcher");
        done["execution_time"]!.GetValue<double>().ShouldBeGreaterThanOrEqualTo(0);
        done["token_usage"]!["total_tokens"]!.GetValue<long>().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Status_OfAFinishedRun_IsTheSameJsonOnEveryRead_WrittenAsForARunningRun()
    {
        using var client = Org();
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "café crème" });
        using var running = await client.GetAsync($"/status/{id}");
        await client.WaitForFinishAsync(id);

        // The first read of the finished run serializes its body; later ones write the same bytes again.
        using var first = await client.GetAsync($"/status/{id}");
        using var second = await client.GetAsync($"/status/{id}");
        var firstBody = await first.Content.ReadAsStringAsync();
        var secondBody = await second.Content.ReadAsStringAsync();

        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        first.Content.Headers.ContentType!.ToString().ShouldBe(running.Content.Headers.ContentType!.ToString());
        first.Content.Headers.ContentType!.ToString().ShouldBe("application/json; charset=utf-8");
        first.Content.Headers.ContentLength.ShouldBe(System.Text.Encoding.UTF8.GetByteCount(firstBody));
        secondBody.ShouldBe(firstBody);
        var done = JsonNode.Parse(firstBody)!;
        done["status"]!.GetValue<string>().ShouldBe("completed");
        done["result"]!["tasks"]!.AsArray().Count.ShouldBe(2);
        // Written with the API's own JSON options (the relaxed escaper), as every other answer is: no \u00e9.
        firstBody.ShouldContain("café crème");
        firstBody.ShouldNotContain("pending_human_input");
    }

    [Fact]
    public async Task Status_AtTheAlternatePath_AnswersTheSameRun()
    {
        using var client = Org();
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "paths" });
        await client.WaitForFinishAsync(id);

        var (status, body) = await client.GetJsonAsync($"/{id}/status");
        status.ShouldBe(HttpStatusCode.OK);
        body["status"]!.GetValue<string>().ShouldBe("completed");
    }

    [Fact]
    public async Task Kickoff_WithMissingInput_Returns422WithTheSpecBody()
    {
        using var client = Org();
        using var response = await client.PostKickoffAsync(new JsonObject { ["inputs"] = new JsonObject { ["other"] = "x" } });
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await response.Content.ReadAsStringAsync()).ShouldBe(
            """{"error":"Validation Error","message":"Missing required inputs","details":{"missing_inputs":["topic"]}}""");
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("{}")]
    [InlineData("""{"inputs": "topic"}""")]
    [InlineData("""{"inputs": [1]}""")]
    [InlineData("""{"inputs": {"topic": "x"}, "meta": 5}""")]
    [InlineData("""{"inputs": {"topic": "x"}, "taskWebhookUrl": 12}""")]
    [InlineData("""{"inputs": {"topic": "x"}, "webhooks": "yes"}""")]
    public async Task Kickoff_WithMalformedBody_Returns400WithErrorAndMessage(string body)
    {
        using var client = Org();
        using var response = await client.PostRawAsync("/kickoff", body, "application/json");
        var (status, json) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.BadRequest);
        json["error"]!.GetValue<string>().ShouldBe("Bad Request");
        json["message"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task Kickoff_WithWrongContentType_Returns415(string? contentType)
    {
        using var client = Org();
        using var response = await client.PostRawAsync("/kickoff", """{"inputs":{"topic":"x"}}""", contentType);
        var (status, json) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        json["error"]!.GetValue<string>().ShouldBe("Unsupported Media Type");
    }

    [Fact]
    public async Task Kickoff_OverTheBodyLimit_Returns413()
    {
        using var client = Org();
        var big = new JsonObject { ["inputs"] = new JsonObject { ["topic"] = new string('x', 10_000) } };
        using var response = await client.PostKickoffAsync(big);
        var (status, json) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        json["error"]!.GetValue<string>().ShouldBe("Payload Too Large");
    }

    [Fact]
    public async Task Kickoff_StoresMetaAndWebhooks_AndIgnoresUnknownFields()
    {
        using var client = Org();
        using var response = await client.PostKickoffAsync(new JsonObject
        {
            ["inputs"] = new JsonObject { ["topic"] = "meta" },
            ["meta"] = new JsonObject { ["requestId"] = "7a2c" },
            ["taskWebhookUrl"] = "http://127.0.0.1:9/task",
            ["crewWebhookUrl"] = "http://127.0.0.1:9/crew",
            ["somethingNew"] = new JsonArray(1, 2),
        });
        var (status, body) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.OK);

        var store = _server.Services.GetRequiredService<IRunStore>();
        var run = await store.GetRunAsync(Guid.Parse(body["kickoff_id"]!.GetValue<string>()), CancellationToken.None);
        run.ShouldNotBeNull();
        run.Meta!["requestId"]!.GetValue<string>().ShouldBe("7a2c");
        run.Webhooks.TaskWebhookUrl.ShouldBe("http://127.0.0.1:9/task");
        run.Webhooks.CrewWebhookUrl.ShouldBe("http://127.0.0.1:9/crew");
        run.Inputs["topic"]!.GetValue<string>().ShouldBe("meta");
    }

    [Fact]
    public async Task Kickoff_WithAnUnusableWebhookUrl_Returns422NamingTheField()
    {
        using var client = Org();
        using var response = await client.PostKickoffAsync(new JsonObject
        {
            ["inputs"] = new JsonObject { ["topic"] = "hooks" },
            ["crewWebhookUrl"] = "ftp://127.0.0.1/crew",
        });
        var (status, body) = await response.ReadJsonAsync();
        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        body["error"]!.GetValue<string>().ShouldBe("Validation Error");
        body["details"]!.AsObject().ContainsKey("crewWebhookUrl").ShouldBeTrue(body.ToJsonString());
    }

    [Fact]
    public async Task Kickoff_WithTheSameIdempotencyKey_ReturnsTheSameRun()
    {
        using var client = Org();
        var key = Guid.NewGuid().ToString();
        var first = await client.KickoffAsync(new JsonObject { ["topic"] = "once" }, idempotencyKey: key);
        var second = await client.KickoffAsync(new JsonObject { ["topic"] = "once" }, idempotencyKey: key);
        var other = await client.KickoffAsync(new JsonObject { ["topic"] = "once" }, idempotencyKey: Guid.NewGuid().ToString());

        second.ShouldBe(first);
        other.ShouldNotBe(first);
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("not-a-uuid")]
    public async Task Status_OfAnUnknownOrMalformedId_Returns404(string id)
    {
        using var client = Org();
        var (status, body) = await client.GetJsonAsync($"/status/{id}");
        status.ShouldBe(HttpStatusCode.NotFound);
        body["error"]!.GetValue<string>().ShouldBe("Execution not found");
        body["message"]!.GetValue<string>().ShouldContain(id);
    }

    [Fact]
    public async Task Stop_OfAFinishedRun_Returns400WithDetail()
    {
        using var client = Org();
        var id = await client.KickoffAsync(new JsonObject { ["topic"] = "finished" });
        await client.WaitForFinishAsync(id);

        using var response = await client.PostAsync($"/stop/{id}", null);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"detail":"Cannot stop execution. Current state: SUCCESS"}""");
    }

    [Fact]
    public async Task Stop_OfAnUnknownRun_Returns404()
    {
        using var client = Org();
        using var response = await client.PostAsync($"/stop/{Guid.NewGuid()}", null);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheStatusFieldsMusterSends()
    {
        using var client = _server.CreateClient();
        var document = await client.GetStringAsync("/openapi/v1.json");
        foreach (var field in new[] { "\"state\"", "\"token_usage\"", "\"pending_human_input\"", "\"kickoff_id\"", "/kickoff", "/status/{kickoff_id}", "/stop/{kickoff_id}" })
        {
            document.ShouldContain(field);
        }

        var page = await client.GetStringAsync("/docs");
        page.ShouldContain("/openapi/v1.json");
    }
}
