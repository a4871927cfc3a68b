using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Muster.Bench.Tests;

/// <summary>
/// Bare Kestrel on 127.0.0.1 for the load generator to talk to: <c>/echo/N</c> answers N, <c>/fail/N</c> answers 500
/// with the body <c>boom N</c>, so that a test can tell which request an answer belongs to.
/// </summary>
public sealed class LoopbackServer : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri Url { get; private set; } = null!;

    public Uri Echo(long i) => new(Url, $"/echo/{i}");

    public Uri Fail(long i) => new(Url, $"/fail/{i}");

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            var (status, body) = path switch
            {
                _ when path.StartsWith("/echo/", StringComparison.Ordinal) => (StatusCodes.Status200OK, path["/echo/".Length..]),
                _ when path.StartsWith("/fail/", StringComparison.Ordinal) => (StatusCodes.Status500InternalServerError, "boom " + path["/fail/".Length..]),
                _ => (StatusCodes.Status404NotFound, ""),
            };
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(body, context.RequestAborted);
        });
        await _app.StartAsync();
        Url = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
