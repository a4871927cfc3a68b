using Microsoft.AspNetCore.Diagnostics;
using Muster.Contracts;
using Muster.Contracts.Amp;

namespace Muster.Server.Hosting;

/// <summary>
/// Every error leaves as <c>{error, message}</c>: unexpected exceptions as a 500 without details (never a stack trace),
/// requests Kestrel refuses (too large, malformed) with their 4xx, and empty 4xx answers (unknown route, wrong method) with a body.
/// </summary>
internal static partial class ErrorHandling
{
    public static WebApplication UseMusterErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
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
            >= 500 => ("Internal Server Error", "An unexpected error occurred"),
            _ => ("Bad Request", "The request is invalid."),
        };
        return WriteAsync(context, new ErrorResponse { Error = error, Message = message });
    }

    private static Task WriteAsync(HttpContext context, ErrorResponse body) =>
        context.Response.WriteAsJsonAsync(body, MusterJsonContext.Default.ErrorResponse);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception answering {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, PathString path, Exception? exception);
}
