using Microsoft.AspNetCore.Diagnostics;
using Muster.Contracts;
using Muster.Contracts.Amp;
using Muster.Storage;

namespace Muster.Server.Hosting;

/// <summary>
/// Every error leaves as <c>{error, message}</c>: unexpected exceptions as a 500 without details (never a stack trace),
/// requests Kestrel refuses (too large, malformed) with their 4xx, and empty 4xx answers (unknown route, wrong method) with a body.
/// A store that is busy, gone or corrupt answers 503 and a full disk 507, each with <c>Retry-After</c> and a message that
/// says which; those are logged once per outage (<see cref="StoreHealthLog"/>), not once per request.
/// </summary>
internal static partial class ErrorHandling
{
    public static WebApplication UseMusterErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                StoreUnavailableException { Kind: StoreFailureKind.Full } => StatusCodes.Status507InsufficientStorage,
                StoreUnavailableException => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
            ExceptionHandler = WriteExceptionAsync,
        });
        app.UseStatusCodePages(context => WriteStatusAsync(context.HttpContext));
        return app;
    }

    private static Task WriteExceptionAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (exception is BadHttpRequestException bad)
        {
            return WriteAsync(context, bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new ErrorResponse { Error = "Payload Too Large", Message = "The request body exceeds the limit (Muster:Limits:MaxRequestBodyBytes)." }
                : new ErrorResponse { Error = "Bad Request", Message = "The request could not be read." });
        }

        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ErrorHandling));
        if (exception is StoreUnavailableException store)
        {
            LogStoreUnavailable(logger, context.Request.Method, context.Request.Path, store.Kind);
            context.Response.Headers.RetryAfter = RetryAfterSeconds(store.Kind);
            return WriteAsync(context, new ErrorResponse
            {
                Error = store.Kind == StoreFailureKind.Full ? "Insufficient Storage" : "Service Unavailable",
                Message = store.Message + " Nothing was changed; retry later.",
            });
        }

        LogUnhandled(logger, context.Request.Method, context.Request.Path, exception);
        return WriteAsync(context, new ErrorResponse { Error = "Internal Server Error", Message = "An unexpected error occurred" });
    }

    private static Task WriteStatusAsync(HttpContext context)
    {
        var (error, message) = context.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => ("Not Found", "No such route; see /docs for the routes Muster serves."),
            StatusCodes.Status405MethodNotAllowed => ("Method Not Allowed", "This route does not accept this HTTP method."),
            StatusCodes.Status413PayloadTooLarge => ("Payload Too Large", "The request body exceeds the limit (Muster:Limits:MaxRequestBodyBytes)."),
            StatusCodes.Status415UnsupportedMediaType => ("Unsupported Media Type", "The request body must be JSON (Content-Type: application/json)."),
            StatusCodes.Status401Unauthorized => ("Unauthorized", "Invalid or missing bearer token"),
            StatusCodes.Status403Forbidden => ("Forbidden", "This token may not do this."),
            StatusCodes.Status503ServiceUnavailable => ("Service Unavailable", "The server cannot serve this now; retry later."),
            >= 500 => ("Internal Server Error", "An unexpected error occurred"),
            _ => ("Bad Request", "The request is invalid."),
        };
        return WriteAsync(context, new ErrorResponse { Error = error, Message = message });
    }

    /// <summary>How soon a client should try again: a lock or a restart passes in seconds, a full disk or a corrupt file needs an operator.</summary>
    internal static string RetryAfterSeconds(StoreFailureKind kind) => kind switch
    {
        StoreFailureKind.Busy => "2",
        StoreFailureKind.Unavailable => "5",
        _ => "60",
    };

    private static Task WriteAsync(HttpContext context, ErrorResponse body) =>
        context.Response.WriteAsJsonAsync(body, MusterJsonContext.Default.ErrorResponse);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Answered {Method} {Path} with the store unavailable ({Kind})")]
    private static partial void LogStoreUnavailable(ILogger logger, string method, PathString path, StoreFailureKind kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception answering {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, PathString path, Exception? exception);
}
