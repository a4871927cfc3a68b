using Microsoft.AspNetCore.Antiforgery;

namespace Muster.Server.Console;

/// <summary>
/// The filter in front of every console route: it finds the viewer's session (sending a viewer without one to sign in)
/// and refuses any POST whose anti-forgery token is missing or wrong before its handler runs, so a forged form changes nothing.
/// </summary>
internal static class ConsoleGate
{
    /// <summary>Routes that need no session: signing in, and the static assets.</summary>
    private static bool IsOpen(PathString path) =>
        path.StartsWithSegments("/ui/login") || path.StartsWithSegments("/ui/assets");

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var services = context.RequestServices;
        var antiforgery = services.GetRequiredService<IAntiforgery>();
        ConsoleSession? session = null;
        if (!IsOpen(context.Request.Path))
        {
            session = await services.GetRequiredService<ConsoleSessions>().AuthenticateAsync(context);
            if (session is null)
            {
                if (context.Request.Path.StartsWithSegments("/ui/live"))
                {
                    return TypedResults.Unauthorized();
                }

                var back = HttpMethods.IsGet(context.Request.Method) ? (context.Request.Path + context.Request.QueryString).ToString() : "/ui/runs";
                return TypedResults.Redirect($"/ui/login?next={Uri.EscapeDataString(back)}");
            }
        }

        var page = new ConsolePage(context, session, antiforgery);
        context.Items[typeof(ConsolePage)] = page;
        if (HttpMethods.IsPost(context.Request.Method) && !await antiforgery.IsRequestValidAsync(context))
        {
            return page.Problem(StatusCodes.Status400BadRequest, "Refused",
                "This form's anti-forgery token is missing or not valid, so nothing was changed. Reload the page and try again.");
        }

        return await next(invocation);
    }

    public static ConsolePage PageOf(HttpContext context) =>
        context.Items[typeof(ConsolePage)] as ConsolePage ?? throw new InvalidOperationException("Console routes run behind ConsoleGate.");
}
