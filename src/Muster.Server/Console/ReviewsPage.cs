using Muster.Storage;

namespace Muster.Server.Console;

/// <summary><c>/ui/reviews</c>: runs paused for a human, each with the output under review, to approve or reject with feedback.</summary>
internal static class ReviewsPage
{
    private const int Limit = 100;

    public static async Task<IResult> RenderAsync(ConsolePage page, ConsoleBackend backend, CancellationToken cancellationToken)
    {
        var runs = await backend.ListRunsAsync(page.Principal, new RunQuery { States = [RunState.AwaitingHuman], Limit = Limit }, cancellationToken);
        var waiting = runs.Runs.Where(run => run.PendingReview is not null).ToList();
        var body = waiting.Count == 0
            ? Html.Render($"<p class=\"empty\">No run is waiting for review.</p>")
            : Html.Join(waiting.Select(run => Review(page, run)));
        return page.Render("Reviews", Html.Render($"<h1>Reviews</h1>{body}"));
    }

    private static Markup Review(ConsolePage page, RunRecord run)
    {
        var pending = run.PendingReview!;
        var id = run.Id.ToString("N");
        return Html.Render($"""
            <article class="review" id="review-{id}">
            <h2><a href="/ui/runs/{id}">{run.CrewName}</a> · task {pending.Name}</h2>
            <p class="sub">Run <span class="mono">{id}</span>, owner <span class="mono">{run.OwnerId}</span>, by {pending.Agent}</p>
            <div class="markdown">{SafeMarkdown.Render(pending.Raw)}</div>
            {(pending.JsonDict is { } json ? RunDetailsPage.Json(json) : Markup.Empty)}
            <div class="review-actions">
            <form method="post" action="/ui/reviews/{id}">{page.AntiforgeryField}<input type="hidden" name="task" value="{pending.Name}"><input type="hidden" name="decision" value="approve"><button type="submit">Approve</button></form>
            <form method="post" action="/ui/reviews/{id}" class="reject">{page.AntiforgeryField}<input type="hidden" name="task" value="{pending.Name}"><input type="hidden" name="decision" value="reject">
            <label for="feedback-{id}">Feedback</label><textarea id="feedback-{id}" name="feedback" required rows="3"></textarea>
            <button type="submit" class="danger">Reject with feedback</button></form>
            </div>
            </article>
            """);
    }
}
