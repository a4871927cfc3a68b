namespace Muster.Server.Console;

/// <summary>
/// The headers of every console response: a CSP that allows the console's own script and style only (no inline script,
/// no inline style, no framing), nosniff, no referrer, and no caching of pages that show runs and tokens.
/// </summary>
internal static class ConsoleSecurityHeaders
{
    public const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'";

    public static Task ApplyAsync(HttpContext context, Func<Task> next)
    {
        if (context.Request.Path.StartsWithSegments("/ui"))
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = Policy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                if (!context.Request.Path.StartsWithSegments("/ui/assets"))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });
        }

        return next();
    }
}
