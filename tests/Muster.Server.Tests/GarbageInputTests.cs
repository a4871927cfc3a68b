using System.Net;
using System.Text;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>No request of any shape gets a 500: every route is hit with malformed bodies, ids, methods and headers.</summary>
public sealed class GarbageInputTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        Settings = new Dictionary<string, string?> { ["Muster:Limits:MaxRequestBodyBytes"] = "65536" },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static readonly string[] Paths =
    [
        "/", "/healthz", "/readyz", "/inputs", "/kickoff", "/resume", "/status/x", "/status/", "/status/%00", "/%20/status",
        "/stop/x", "/stop/00000000-0000-0000-0000-000000000000", "/crews/research/inputs", "/crews/research/kickoff",
        "/crews/%2e%2e/kickoff", "/crews/" + new string('a', 3000) + "/inputs", "/api/tokens", "/api/tokens/x",
        "/api/crews", "/api/crew-runs", "/api/crew-runs/x", "/api/crew-runs/x/events", "/openapi/v1.json", "/docs", "/nothing/here",
        "/api/crew-runs/x/files", "/api/crew-runs/00000000-0000-0000-0000-000000000000/files/%00", "/api/crew-runs/x/files/" + new string('a', 3000),
    ];

    private static readonly HttpMethod[] Methods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch];

    private static IEnumerable<(string Body, string? ContentType)> Bodies()
    {
        yield return ("", "application/json");
        yield return ("null", "application/json");
        yield return ("{", "application/json");
        yield return ("""{"inputs":{"topic":{"deep":[[[[[[[]]]]]]]}},"meta":null}""", "application/json");
        yield return ("""{"inputs":{"topic":"x"},"webhooks":{"events":5,"url":[],"realtime":"no","authentication":7}}""", "application/json");
        yield return ("""{"inputs":{"topic":"x"},"humanInputWebhook":{"url":{"a":1}}}""", "application/json");
        yield return ("""{"kind":"user","user_id":42,"crews":"all"}""", "application/json");
        yield return ("""{"execution_id":"x","task_id":1,"is_approve":"yes"}""", "application/json");
        yield return (new string('[', 5000) + new string(']', 5000), "application/json");
        yield return ("\u0000\u0001\u0002\uFFFD", "application/json");
        yield return ("<xml/>", "application/xml");
        yield return ("a=b", "application/x-www-form-urlencoded");
        yield return ("{\"inputs\":{\"topic\":\"x\"}}", "application/json; charset=latin1");
        yield return ("{\"inputs\":{\"topic\":\"" + new string('x', 70_000) + "\"}}", "application/json");
        foreach (var body in UndecodableBodies)
        {
            yield return (body, "application/json");
        }
    }

    // JSON that parses but that no reader can use as it stands: a lone surrogate escape (in a value, in a name, alone in an
    // array) and a property given twice (inside inputs, and at the top).
    private static readonly string[] UndecodableBodies =
    [
        """{"inputs":{"topic":"\ud800"}}""",
        """{"inputs":{"\udfff":"x"}}""",
        """{"inputs":{"topic":["ok","\ud800x"]},"execution_id":"\ud83d","task_id":"t","human_feedback":"f","is_approve":true,"crew_type":"research","crew_config":{"id":"\ud800"},"task_input":{"topic":"\ud800"},"kind":"organization"}""",
        """{"inputs":{"a":"x","a":"y"}}""",
        """{"inputs":{"topic":"x"},"inputs":{"topic":"y"}}""",
        """{"task_input":{"topic":"x","topic":"y"},"crew_type":"research","crew_config":{"id":"a","id":"b"}}""",
    ];

    // Every route that reads a JSON body (RequestBody.ReadJsonAsync).
    private static readonly string[] BodyRoutes =
        ["/kickoff", "/crews/research/kickoff", "/resume", "/crews/research/resume", "/api/crews/run", "/api/crews/run/custom", "/api/tokens"];

    [Fact]
    public async Task EveryBodyRoute_WithALoneSurrogateOrADuplicateProperty_Answers400WithTheErrorBody()
    {
        using var client = _server.CreateClient(_server.BootstrapToken);
        var failures = new List<string>();
        // Bytes that are not UTF-8 inside a string, sent as they are.
        byte[] notUtf8 = [.. Encoding.ASCII.GetBytes("""{"inputs":{"topic":"a"""), 0xFF, 0xC0, .. Encoding.ASCII.GetBytes("\"}}")];
        foreach (var path in BodyRoutes)
        {
            foreach (var body in UndecodableBodies.Select(b => Encoding.UTF8.GetBytes(b)).Append(notUtf8))
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var response = await client.PostAsync(path, content);
                var text = await response.Content.ReadAsStringAsync();
                var json = response.Content.Headers.ContentType?.MediaType == "application/json" ? System.Text.Json.Nodes.JsonNode.Parse(text) : null;
                if (response.StatusCode != HttpStatusCode.BadRequest || json?["error"] is null || json["message"] is null)
                {
                    failures.Add($"POST {path} {Encoding.UTF8.GetString(body)} → {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
                }
            }
        }

        failures.ShouldBeEmpty();
    }

    [Fact]
    public async Task EveryRoute_WithGarbage_NeverAnswers500()
    {
        var failures = new List<string>();
        foreach (var token in new[] { _server.BootstrapToken, null, "garbage" })
        {
            using var client = _server.CreateClient(token);
            foreach (var path in Paths)
            {
                foreach (var method in Methods)
                {
                    foreach (var (body, contentType) in method == HttpMethod.Get ? [("", null)] : Bodies())
                    {
                        using var request = new HttpRequestMessage(method, path);
                        if (contentType is not null)
                        {
                            request.Content = new StringContent(body, Encoding.UTF8);
                            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
                        }

                        request.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 300));

                        // Kestrel closes a connection whose oversized body it did not read; never reuse one.
                        request.Headers.ConnectionClose = true;
                        request.Headers.TryAddWithoutValidation("x-correlation-id", "\"{}<>%00");
                        using var response = await SendAsync(client, request, failures);
                        if (response is null)
                        {
                            continue;
                        }

                        if ((int)response.StatusCode >= 500)
                        {
                            failures.Add($"{method} {path[..Math.Min(path.Length, 60)]} [{contentType}] {body[..Math.Min(body.Length, 40)]} → {(int)response.StatusCode}");
                        }
                        else if ((int)response.StatusCode >= 400)
                        {
                            var text = await response.Content.ReadAsStringAsync();
                            if (text.Contains("   at ", StringComparison.Ordinal) || text.Contains("Exception", StringComparison.Ordinal))
                            {
                                failures.Add($"{method} {path} leaked: {text[..Math.Min(200, text.Length)]}");
                            }
                        }
                    }
                }
            }
        }

        failures.ShouldBeEmpty();
    }

    private static async Task<HttpResponseMessage?> SendAsync(HttpClient client, HttpRequestMessage request, List<string> failures)
    {
        try
        {
            return await client.SendAsync(request);
        }
        catch (HttpRequestException ex)
        {
            failures.Add($"{request.Method} {request.RequestUri} [{request.Content?.Headers.ContentType}] {request.Content?.Headers.ContentLength}: {ex.Message} {ex.InnerException?.Message}");
            return null;
        }
    }

    [Fact]
    public async Task MalformedAuthorizationHeaders_Answer401()
    {
        foreach (var header in new[] { "Bearer", "Bearer ", "Basic abc", "Bearer " + new string('x', 5000), "bearer %ff%fe", "Bearer mst_\"\\" })
        {
            using var client = _server.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/inputs");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            using var response = await client.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, header[..Math.Min(20, header.Length)]);
        }
    }
}
