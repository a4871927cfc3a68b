using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Muster.Server.Hosting;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>The routes that need no token are exactly those the OpenAPI document, /docs and docs/API.md name.</summary>
public sealed class OpenRoutesTests : IAsyncLifetime
{
    private MusterServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await MusterServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheRoutesOpenWithoutAToken_AreTheOnesTheDocumentAndThePageName()
    {
        using var anonymous = _server.CreateClient();
        var open = _server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => e.RoutePattern.RawText!.Replace("{documentName}", "v1", StringComparison.Ordinal))
            // The web console takes no bearer token: its routes check its own session cookie (tests/Muster.Console.Tests).
            .Where(route => route != "/ui" && !route.StartsWith("/ui/", StringComparison.Ordinal))
            // Scalar serves its page and its embedded scripts under /docs: one open reference, however many routes it takes.
            .Select(route => route.StartsWith("/docs", StringComparison.Ordinal) ? "/docs" : route)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        var document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!;
        var page = await anonymous.GetStringAsync("/docs");
        using var closed = await anonymous.GetAsync("/api/crews");

        open.ShouldBe(["/", "/docs", "/healthz", "/openapi/v1.json", "/readyz"]);
        foreach (var route in open)
        {
            using var response = await anonymous.GetAsync(route);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, route);
            ApiDocs.OpenRoutes.ShouldContain(route == "/" ? "(/," : route);
        }

        document["info"]!["description"]!.GetValue<string>().ShouldContain(ApiDocs.OpenRoutes);
        page.ShouldContain(ApiDocs.OpenRoutes);
        closed.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
