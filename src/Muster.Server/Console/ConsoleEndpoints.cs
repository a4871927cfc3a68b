using System.Text.Json.Nodes;
using Muster.Core.Engine;
using Muster.Storage;

namespace Muster.Server.Console;

/// <summary>
/// The console's routes under <c>/ui</c>. Every one runs behind <see cref="ConsoleGate"/> (session, anti-forgery) and
/// <see cref="ConsoleSecurityHeaders"/>; none takes a bearer token, and none is part of the API's OpenAPI document.
/// </summary>
internal static class ConsoleEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/ui", () => TypedResults.Redirect("/ui/runs")).AllowAnonymous().ExcludeFromDescription();
        var ui = app.MapGroup("/ui").AllowAnonymous().ExcludeFromDescription().AddEndpointFilter(ConsoleGate.FilterAsync);
        ui.MapGet("/assets/{name}", (string name, HttpContext context) => ConsoleAssets.Serve(name, context));
        ui.MapGet("/login", (HttpContext context, string? next) => LoginPage.Render(ConsoleGate.PageOf(context), next));
        ui.MapPost("/login", SignInAsync);
        ui.MapPost("/logout", (HttpContext context) =>
        {
            ConsoleSessions.SignOut(context);
            return TypedResults.Redirect("/ui/login");
        });
        ui.MapGet("/runs", (HttpContext context, ConsoleBackend backend, CancellationToken cancellationToken) =>
            RunsPage.RenderAsync(ConsoleGate.PageOf(context), backend, cancellationToken));
        ui.MapGet("/runs/{id}", RunAsync);
        ui.MapPost("/runs/{id}/stop", StopAsync);
        ui.MapGet("/runs/{id}/files/{**path}", FileAsync);
        ui.MapGet("/reviews", (HttpContext context, ConsoleBackend backend, CancellationToken cancellationToken) =>
            ReviewsPage.RenderAsync(ConsoleGate.PageOf(context), backend, cancellationToken));
        ui.MapPost("/reviews/{id}", ReviewAsync);
        ui.MapGet("/crews", (HttpContext context, ConsoleBackend backend) => CrewsPage.Render(ConsoleGate.PageOf(context), backend));
        ui.MapPost("/crews/{name}/kickoff", KickoffAsync);
        ui.MapGet("/tokens", TokensAsync);
        ui.MapPost("/tokens", CreateTokenAsync);
        ui.MapPost("/tokens/{id}/revoke", RevokeTokenAsync);
        ui.MapGet("/live/runs", (HttpContext context, RunListFeed feed, IHostApplicationLifetime lifetime) =>
            LiveStreams.RunsAsync(ConsoleGate.PageOf(context), feed, lifetime));
        ui.MapGet("/live/runs/{id}", LiveRunAsync);
    }

    private static async Task<IResult> SignInAsync(HttpContext context, ConsoleSessions sessions)
    {
        var page = ConsoleGate.PageOf(context);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var next = form["next"].ToString();
        if (await sessions.SignInAsync(context, form["token"].ToString()) is null)
        {
            return LoginPage.Render(page, next, "That token is unknown or revoked.");
        }

        return TypedResults.Redirect(LoginPage.SafeNext(next));
    }

    private static async Task<IResult> RunAsync(string id, HttpContext context, ConsoleBackend backend, TimeProvider time, CancellationToken cancellationToken)
    {
        var page = ConsoleGate.PageOf(context);
        var run = Guid.TryParse(id, out var runId) ? await backend.GetRunAsync(page.Principal, runId, cancellationToken) : null;
        if (run is null)
        {
            return NotFound(page, id);
        }

        return RunDetailsPage.Render(page, await RunSnapshot.LoadAsync(backend, run, previous: null, cancellationToken), time.GetUtcNow());
    }

    private static async Task<IResult> StopAsync(string id, HttpContext context, ConsoleBackend backend, CancellationToken cancellationToken)
    {
        var page = ConsoleGate.PageOf(context);
        var result = Guid.TryParse(id, out var runId) ? await backend.StopAsync(page.Principal, runId, cancellationToken) : null;
        return result is null or { Outcome: StopOutcome.NotFound } ? NotFound(page, id) : SeeOther($"/ui/runs/{runId:N}");
    }

    private static async Task<IResult> FileAsync(string id, string path, HttpContext context, ConsoleBackend backend, CancellationToken cancellationToken)
    {
        var page = ConsoleGate.PageOf(context);
        var run = Guid.TryParse(id, out var runId) ? await backend.GetRunAsync(page.Principal, runId, cancellationToken) : null;
        if (run is null || backend.FindFile(run, path) is not { } file)
        {
            return NotFound(page, id);
        }

        // Always a download, never rendered here: a file a task wrote is as untrusted as its output.
        return TypedResults.PhysicalFile(file.FullName, "application/octet-stream", file.Name, file.LastWriteTimeUtc);
    }

    private static async Task<IResult> ReviewAsync(string id, HttpContext context, ConsoleBackend backend, CancellationToken cancellationToken)
    {
        var page = ConsoleGate.PageOf(context);
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var approve = form["decision"].ToString() == "approve";
        var feedback = form["feedback"].ToString();
        var task = form["task"].ToString();
        if (!approve && string.IsNullOrWhiteSpace(feedback))
        {
            return page.Problem(StatusCodes.Status422UnprocessableEntity, "Feedback needed", "A rejection needs feedback: the task runs again with it.");
        }

        var outcome = Guid.TryParse(id, out var runId)
            ? await backend.ResumeAsync(page.Principal, runId, new HumanReview(task, approve ? feedback : feedback.Trim(), approve), cancellationToken)
            : ResumeOutcome.NotFound;
        return outcome switch
        {
            ResumeOutcome.Resumed => SeeOther($"/ui/runs/{runId:N}"),
            ResumeOutcome.NotFound => NotFound(page, id),
            _ => page.Problem(StatusCodes.Status409Conflict, "Not waiting for review",
                "This run is not waiting for a review of that task any more: someone answered first, or it was stopped."),
        };
    }

    private static async Task<IResult> KickoffAsync(string name, HttpContext context, ConsoleBackend backend, CancellationToken cancellationToken)
    {
        var page = ConsoleGate.PageOf(context);
        if (backend.FindCrew(page.Principal, name) is not { } crew)
        {
            return page.Problem(StatusCodes.Status404NotFound, "Not found", $"No crew named '{name}' is loaded that this token covers.");
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var inputs = new JsonObject();
        foreach (var input in crew.Inputs)
        {
            if (form.TryGetValue("input." + input, out var value))
            {
                inputs[input] = value.ToString();
            }
        }

        var outcome = await backend.KickoffAsync(page.Principal, crew, inputs, cancellationToken);
        return outcome.RunId is { } runId ? SeeOther($"/ui/runs/{runId:N}") : CrewsPage.Render(page, backend, crew.Name, outcome.Problem, form);
    }

    private static async Task<IResult> TokensAsync(HttpContext context, ConsoleBackend backend, CancellationToken cancellationToken)
    {
        var page = ConsoleGate.PageOf(context);
        return page.Principal.MayManageTokens ? await TokensPage.RenderAsync(page, backend, cancellationToken) : Forbidden(page);
    }

    private static async Task<IResult> CreateTokenAsync(HttpContext context, ConsoleBackend backend, CancellationToken cancellationToken)
    {
        var page = ConsoleGate.PageOf(context);
        if (!page.Principal.MayManageTokens)
        {
            return Forbidden(page);
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var (request, unreadable) = TokenForm.Read(form);
        var (secret, problems) = await backend.CreateTokenAsync(request, unreadable, cancellationToken);
        // The secret goes out in this response only; the page must not be kept in any cache.
        context.Response.Headers.CacheControl = "no-store";
        return await TokensPage.RenderAsync(page, backend, cancellationToken, secret, problems, problems.Count > 0 ? form : null);
    }

    private static async Task<IResult> RevokeTokenAsync(string id, HttpContext context, ConsoleBackend backend, CancellationToken cancellationToken)
    {
        var page = ConsoleGate.PageOf(context);
        if (!page.Principal.MayManageTokens)
        {
            return Forbidden(page);
        }

        await backend.RevokeTokenAsync(id, cancellationToken);
        return SeeOther("/ui/tokens");
    }

    private static async Task<IResult> LiveRunAsync(
        string id, HttpContext context, ConsoleBackend backend, RunFeed feed, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var page = ConsoleGate.PageOf(context);
        var run = Guid.TryParse(id, out var runId) ? await backend.GetRunAsync(page.Principal, runId, cancellationToken) : null;
        return run is null ? TypedResults.NotFound() : await LiveStreams.RunAsync(page, run.Id, feed, lifetime);
    }

    private static IResult NotFound(ConsolePage page, string id) =>
        page.Problem(StatusCodes.Status404NotFound, "Not found", $"There is no run '{id}' that this token may see.");

    private static IResult Forbidden(ConsolePage page) =>
        page.Problem(StatusCodes.Status403Forbidden, "Forbidden", "Managing tokens needs an organization token with manage_tokens that covers every crew.");

    /// <summary>303: after a form's POST the browser GETs the page that shows the outcome.</summary>
    private static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
