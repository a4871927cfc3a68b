using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Muster.Server.Tests.CrewRuns;
using Muster.Storage;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// The routes that name a run bind crew, caller and run once, before their handler runs: every one of them answers a run
/// the caller may not see with the same AMP 404 as no run at all, and an unknown crew with the crew's 404 first. Through
/// real HTTP, byte for byte.
/// </summary>
public sealed class RunBindingTests(RunBindingTests.Server fixture) : IClassFixture<RunBindingTests.Server>
{
    /// <summary>Every route that names a run by its path; <c>{id}</c> stands for it.</summary>
    public static TheoryData<string, string> RunRoutes() => new()
    {
        { "GET", "/status/{id}" },
        { "GET", "/{id}/status" },
        { "GET", "/crews/research/status/{id}" },
        { "GET", "/crews/research/{id}/status" },
        { "POST", "/stop/{id}" },
        { "POST", "/crews/research/stop/{id}" },
        { "GET", "/api/crew-runs/{id}" },
        { "DELETE", "/api/crew-runs/{id}" },
        { "GET", "/api/crew-runs/{id}/events" },
        { "GET", "/api/crew-runs/{id}/files" },
        { "GET", "/api/crew-runs/{id}/files/report.md" },
        { "GET", "/api/crew-runs/{id}/deliveries" },
    };

    [Theory]
    [MemberData(nameof(RunRoutes))]
    public async Task ARunTheCallerMayNotSee_IsAnsweredAsNoRunAtAll(string method, string route)
    {
        // The owner reads first, so that the status of the finished run is in memory when the others ask.
        (await SendAsync(fixture.Alice.Client, "GET", $"/status/{fixture.Run}")).Status.ShouldBe(HttpStatusCode.OK);

        foreach (var id in new[] { "not-a-run-id", Guid.NewGuid().ToString(), fixture.Run.ToString() })
        {
            var (status, contentType, body) = await SendAsync(fixture.Bob.Client, method, route.Replace("{id}", id, StringComparison.Ordinal));

            status.ShouldBe(HttpStatusCode.NotFound, $"{method} {route} with {id}: {body}");
            contentType.ShouldBe("application/json; charset=utf-8");
            body.ShouldBe($$"""{"error":"Execution not found","message":"No execution found with ID: {{id}}"}""");
        }
    }

    [Theory]
    [InlineData("GET", "/crews/notes/status/{id}")]
    [InlineData("GET", "/crews/notes/{id}/status")]
    [InlineData("POST", "/crews/notes/stop/{id}")]
    public async Task ARunOfAnotherCrew_IsNotFoundOnThatCrewsRoutes_EvenWhileItsStatusIsInMemory(string method, string route)
    {
        (await SendAsync(fixture.Alice.Client, "GET", $"/crews/research/status/{fixture.Run}")).Status.ShouldBe(HttpStatusCode.OK);

        var (status, _, body) = await SendAsync(fixture.Alice.Client, method, route.Replace("{id}", fixture.Run.ToString(), StringComparison.Ordinal));

        status.ShouldBe(HttpStatusCode.NotFound, body);
        body.ShouldBe($$"""{"error":"Execution not found","message":"No execution found with ID: {{fixture.Run}}"}""");
        (await SendAsync(fixture.Alice.Client, "GET", $"/crews/research/status/{fixture.Run}")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("GET", "/crews/nope/status/{id}")]
    [InlineData("GET", "/crews/nope/{id}/status")]
    [InlineData("POST", "/crews/nope/stop/{id}")]
    [InlineData("POST", "/crews/nope/resume")]
    [InlineData("POST", "/crews/nope/kickoff")]
    [InlineData("GET", "/crews/nope/inputs")]
    public async Task AnUnknownCrew_IsAnsweredWithTheCrews404_BeforeTheRunOrTheBodyIsLookedAt(string method, string route)
    {
        // Not even JSON: the crew is checked before the body.
        var (status, _, body) = await SendAsync(fixture.Alice.Client, method, route.Replace("{id}", fixture.Run.ToString(), StringComparison.Ordinal), body: "{");

        status.ShouldBe(HttpStatusCode.NotFound, body);
        body.ShouldBe("""{"error":"Crew not found","message":"No crew named 'nope' is deployed here. Crews this token may use: notes, research."}""");
    }

    [Fact]
    public async Task NoEndpoint_TakesTheStoreAsAParameter()
    {
        var stores = new[] { typeof(IRunStore), typeof(IDeliveryStore), typeof(ITokenStore) };
        var handlers = fixture.Muster.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(endpoint => (Name: endpoint.DisplayName, Method: endpoint.Metadata.GetMetadata<MethodInfo>()))
            .Where(handler => handler.Method is not null)
            .ToList();

        handlers.Count.ShouldBeGreaterThan(20);
        handlers
            .Where(handler => handler.Method!.GetParameters().Any(parameter => stores.Any(store => store.IsAssignableFrom(parameter.ParameterType))))
            .Select(handler => handler.Name)
            .ShouldBeEmpty("endpoints go through the run service, which finds runs for the caller");
    }

    [Fact]
    public void OnlyTheRunService_TheStatusReader_TheSchedulerAndStartUp_TakeTheRunStore()
    {
        var takers = typeof(Program).Assembly.GetTypes()
            .Where(type => type.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .Any(constructor => constructor.GetParameters().Any(parameter => parameter.ParameterType == typeof(IRunStore))))
            .Select(type => type.Name)
            .Order(StringComparer.Ordinal);

        takers.ShouldBe(["MusterStartup", "RunScheduler", "RunService", "RunStatusReader", "StoreRunSink"]);
    }

    private static async Task<(HttpStatusCode Status, string? ContentType, string Body)> SendAsync(HttpClient client, string method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync());
    }

    /// <summary>One server for the class, with the research and notes crews, and a finished run of Alice's that no test changes.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public MusterServerFixture Muster { get; private set; } = null!;

        public TestUser Alice { get; private set; } = null!;

        public TestUser Bob { get; private set; } = null!;

        public Guid Run { get; private set; }

        public async Task InitializeAsync()
        {
            Muster = await MusterServerFixture.StartAsync(new MusterServerSetup
            {
                WriteCrews = path =>
                {
                    TestCrews.WriteTwoTaskCrew(path);
                    TestCrews.WriteTwoTaskCrew(path, "notes");
                },
                // The root routes serve research, so that they reach the run check.
                Settings = new Dictionary<string, string?> { ["Muster:DefaultCrew"] = "research" },
            });
            Alice = await CrewRunsServer.NewUserAsync(Muster);
            Bob = await CrewRunsServer.NewUserAsync(Muster);
            Run = await Alice.Client.KickoffAsync(new JsonObject { ["topic"] = "binding" }, "/crews/research");
            await Alice.Client.WaitForRunAsync(Run, "completed");
        }

        public async Task DisposeAsync()
        {
            Alice.Dispose();
            Bob.Dispose();
            await Muster.DisposeAsync();
        }
    }
}
