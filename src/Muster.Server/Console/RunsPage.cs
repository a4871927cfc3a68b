using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Muster.Storage;

namespace Muster.Server.Console;

/// <summary><c>/ui/runs</c>: the run history with filters and cursor pages; rows change live (<see cref="RunListFeed"/>).</summary>
internal static class RunsPage
{
    public const int PageSize = 50;
    private static readonly string[] Statuses = ["pending", "running", "awaiting_review", "completed", "failed", "stopped"];

    public static async Task<IResult> RenderAsync(ConsolePage page, ConsoleBackend backend, CancellationToken cancellationToken)
    {
        var principal = page.Principal;
        var filter = RunFilter.From(page.Context.Request.Query, principal.IsOrganization);
        if (filter.Problem is { } problem)
        {
            return page.Render("Runs", Html.Render($"<h1>Runs</h1>{Form(filter, backend, page)}<p class=\"notice\" role=\"alert\">{problem}</p>"), StatusCodes.Status400BadRequest);
        }

        RunPage runs;
        try
        {
            runs = await backend.ListRunsAsync(principal, filter.ToQuery(PageSize), cancellationToken);
        }
        catch (ArgumentException ex) when (ex.ParamName == "cursor")
        {
            return page.Problem(StatusCodes.Status400BadRequest, "Runs", "That page link is not valid any more; start again from the newest runs.");
        }

        var since = runs.Runs.Count > 0 ? runs.Runs[0].CreatedAt : DateTimeOffset.UnixEpoch;
        var live = QueryHelpers.AddQueryString("/ui/live/runs", filter.Parameters().Append(new("since", since.UtcTicks.ToString(CultureInfo.InvariantCulture))));
        var prepend = filter.Cursor is null ? new Markup(" data-prepend=\"true\"") : Markup.Empty;
        var next = runs.NextCursor is { } cursor
            ? Html.Render($"<a rel=\"next\" href=\"{QueryHelpers.AddQueryString("/ui/runs", filter.Parameters().Append(new("cursor", cursor)))}\">Older runs →</a>")
            : Markup.Empty;
        var first = filter.Cursor is not null ? Html.Render($"<a href=\"{QueryHelpers.AddQueryString("/ui/runs", filter.Parameters())}\">← Newest runs</a>") : Markup.Empty;
        var empty = runs.Runs.Count == 0 ? Html.Render($"<p class=\"empty\">No runs match.</p>") : Markup.Empty;
        return page.Render("Runs", Html.Render($"""
            <h1>Runs</h1>
            {Form(filter, backend, page)}
            <div class="table-wrap">
            <table class="runs">
            <thead><tr><th scope="col">Crew</th><th scope="col">Status</th><th scope="col">Owner</th><th scope="col">Tasks</th><th scope="col">Created</th><th scope="col">Tokens</th></tr></thead>
            <tbody data-live="{live}"{prepend}>{Html.Join(runs.Runs.Select(Row))}</tbody>
            </table>
            </div>
            {empty}
            <p class="pager">{first} {next}</p>
            """));
    }

    /// <summary>One run's row, the same on the page and in the live feed.</summary>
    public static Markup Row(RunRecord run) => Html.Render($"""
        <tr id="run-{run.Id:N}"><td><a href="/ui/runs/{run.Id:N}">{run.CrewName}</a><div class="sub mono">{run.Id:N}</div></td><td>{Status(run.State)}</td><td class="mono">{run.OwnerId}</td><td>{run.CompletedTasks}/{run.TotalTasks}</td><td>{Html.Time(run.CreatedAt)}</td><td>{run.Usage.TotalTokens}</td></tr>
        """);

    public static Markup Status(RunState state)
    {
        var name = ConsoleBackend.StatusName(state);
        return Html.Render($"<span class=\"status status-{name.Replace(' ', '-')}\">{name}</span>");
    }

    private static Markup Form(RunFilter filter, ConsoleBackend backend, ConsolePage page)
    {
        var crews = backend.Crews(page.Principal).Select(crew => crew.Name);
        var owner = page.Principal.IsOrganization
            ? Html.Render($"<label>Owner <input name=\"owner\" value=\"{filter.Owner}\" placeholder=\"user id or org:tok_…\"></label>")
            : Markup.Empty;
        return Html.Render($"""
            <form class="filters" method="get" action="/ui/runs">
            <label>Crew <select name="crew"><option value="">any</option>{Html.Join(crews.Select(name => Option(name, name, filter.Crew)))}</select></label>
            <label>Status <select name="status"><option value="">any</option>{Html.Join(Statuses.Select(status => Option(status, status.Replace('_', ' '), filter.Status)))}</select></label>
            {owner}
            <label>Created after (UTC) <input type="datetime-local" name="after" value="{filter.AfterText}"></label>
            <label>Created before (UTC) <input type="datetime-local" name="before" value="{filter.BeforeText}"></label>
            <button type="submit">Filter</button>
            </form>
            """);
    }

    private static Markup Option(string value, string text, string? selected) => value == selected
        ? Html.Render($"<option value=\"{value}\" selected>{text}</option>")
        : Html.Render($"<option value=\"{value}\">{text}</option>");
}
