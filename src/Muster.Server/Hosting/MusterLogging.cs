using Microsoft.Extensions.Configuration.Memory;

namespace Muster.Server.Hosting;

/// <summary>
/// The log's defaults, and one line per request when <c>Muster:Logging:Requests</c> asks for it. The defaults are the
/// first configuration source, so appsettings.json, <c>Logging__…</c> variables and the command line all override them.
/// </summary>
internal static class MusterLogging
{
    public const string RequestsKey = "Muster:Logging:Requests";

    /// <summary>The defaults by key (README.md's configuration table lists each).</summary>
    internal static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        // About ten Information lines per request, which buried the crew load errors and the start-up warnings.
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        // "Hosting failed to start" carries the whole stack trace; MusterHost prints the failure as one line instead.
        ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "Critical",
    };

    public static WebApplicationBuilder AddMusterLogging(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        return builder;
    }

    /// <summary>Outermost, so that the line carries the status the error handler set.</summary>
    public static WebApplication UseMusterRequestLogging(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool>(RequestsKey))
        {
            app.UseMiddleware<RequestLog>();
        }

        return app;
    }
}

/// <summary>One Information line per request: method, path (never the query), status and duration. Never a header.</summary>
internal sealed partial class RequestLog(RequestDelegate next, TimeProvider time, ILogger<RequestLog> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            LogRequest(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode, time.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} in {ElapsedMs:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string method, PathString path, int statusCode, double elapsedMs);
}
