using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Server.Runs;
using Muster.Storage;

namespace Muster.Server.Console;

/// <summary>
/// <c>/ui/runs/{id}</c>: a run's inputs, state, timeline, outputs, files, deliveries and error. The part that changes is
/// one fragment (<see cref="Live"/>), which the page's live feed replaces as the run goes on.
/// </summary>
internal static class RunDetailsPage
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static IResult Render(ConsolePage page, RunSnapshot snapshot, DateTimeOffset now)
    {
        var run = snapshot.Run;
        var stop = Html.Render($"""
            <form id="stop" class="stop" method="post" action="/ui/runs/{run.Id:N}/stop"{Html.When(run.State.IsFinished(), new Markup(" hidden"))}>{page.AntiforgeryField}<button type="submit" class="danger">Stop</button></form>
            """);
        return page.Render($"Run {run.CrewName}", Html.Render($"""
            <div class="title-row"><h1>{run.CrewName} <span class="sub mono">{run.Id:N}</span></h1>{stop}</div>
            <div data-live="/ui/live/runs/{run.Id:N}" class="live">{Live(snapshot, now)}</div>
            """));
    }

    /// <summary>The run's changing part; <c>data-finished</c> tells the page's script to hide the Stop button.</summary>
    /// <summary>The narrowest bar of the timeline, in percent of its width.</summary>
    private const double MinimumWidth = 0.5;

    /// <summary>A cost as the CLI writes it (<see cref="DisplayText.Usd"/>); a model without a price makes it unknown, never $0.</summary>
    private static string Cost(decimal? costUsd) => costUsd is { } cost ? DisplayText.Usd(cost) : "unknown (a model has no price)";

    /// <summary>The trace the run's spans are in (OpenTelemetry, docs/OBSERVABILITY.md), to look it up in a tracing tool.</summary>
    private static Markup Trace(string? traceParent) =>
        traceParent is { Length: 55 } && traceParent[2] == '-' && traceParent[35] == '-' && traceParent[3..35].All(char.IsAsciiHexDigitLower)
            ? Html.Render($"<dt>Trace id</dt><dd class=\"mono trace\">{traceParent[3..35]}</dd>")
            : Markup.Empty;

    public static Markup Live(RunSnapshot snapshot, DateTimeOffset now)
    {
        var run = snapshot.Run;
        var finished = run.State.IsFinished() ? new Markup(" data-finished=\"true\"") : Markup.Empty;
        var review = run is { State: RunState.AwaitingHuman, PendingReview: { } pending }
            ? Html.Render($"<p class=\"notice\">Task <b>{pending.Name}</b> awaits review: <a href=\"/ui/reviews#review-{run.Id:N}\">approve or reject it</a>.</p>")
            : Markup.Empty;
        var error = run.Error is { } text ? Html.Render($"<section><h2>Error</h2><pre class=\"error\" role=\"alert\">{text}</pre></section>") : Markup.Empty;
        return Html.Render($"""
            <div class="facts"{finished}>
            <dl>
            <dt>Status</dt><dd>{RunsPage.Status(run.State)}</dd>
            <dt>Owner</dt><dd class="mono">{run.OwnerId}</dd>
            <dt>Correlation id</dt><dd class="mono">{run.CorrelationId}</dd>
            <dt>Tasks</dt><dd>{run.CompletedTasks}/{run.TotalTasks}{(run.CurrentTask is { } current && !run.State.IsFinished() ? $" (now: {current})" : string.Empty)}</dd>
            <dt>Created</dt><dd>{Html.Time(run.CreatedAt)}</dd>
            <dt>Started</dt><dd>{Html.Time(run.StartedAt)}</dd>
            <dt>Finished</dt><dd>{Html.Time(run.CompletedAt)}</dd>
            <dt>Tokens</dt><dd>{run.Usage.TotalTokens} ({run.Usage.PromptTokens} prompt, {run.Usage.CompletionTokens} completion, {run.Usage.SuccessfulRequests} requests)</dd>
            <dt>Cost</dt><dd class="cost">{Cost(run.Usage.CostUsd)}</dd>
            {Trace(run.TraceParent)}
            </dl>
            </div>
            {review}
            {error}
            <section><h2>Inputs</h2>{Inputs(run.Inputs)}</section>
            <section><h2>Timeline</h2>{Waterfall(snapshot, now)}</section>
            <section><h2>Outputs</h2>{Outputs(snapshot)}</section>
            <section><h2>Files</h2>{Files(snapshot)}</section>
            <section><h2>Webhook deliveries</h2>{Deliveries(snapshot.Deliveries)}</section>
            """);
    }

    /// <summary>Pretty-printed JSON as text (never markup).</summary>
    public static Markup Json(JsonNode? node) => Html.Render($"<pre class=\"json\">{node?.ToJsonString(Indented) ?? "null"}</pre>");

    private static Markup Inputs(JsonObject inputs)
    {
        if (inputs.Count == 0)
        {
            return Html.Render($"<p class=\"empty\">None.</p>");
        }

        return Html.Render($"<dl class=\"inputs\">{Html.Join(inputs.Select(input => input.Value is JsonValue value && value.TryGetValue<string>(out var text)
            ? Html.Render($"<dt>{input.Key}</dt><dd class=\"input-value\">{text}</dd>")
            : Html.Render($"<dt>{input.Key}</dt><dd>{Json(input.Value)}</dd>")))}</dl>");
    }

    private static Markup Waterfall(RunSnapshot snapshot, DateTimeOffset now)
    {
        var spans = Timeline.Build(snapshot.Events);
        if (spans.Count == 0)
        {
            return Html.Render($"<p class=\"empty\">Nothing has happened yet.</p>");
        }

        var start = spans[0].Start;
        var end = snapshot.Run.CompletedAt ?? (snapshot.Run.State.IsFinished() ? spans.Max(s => s.End ?? s.Start) : now);
        var total = Math.Max((end - start).TotalMilliseconds, 1);
        var rows = spans.Select(span =>
        {
            var spanEnd = span.End ?? end;
            // Every bar is at least half a percent wide, so one that starts at the very end (a step begun as the run
            // finished, or a clock a little behind) starts early enough to show it.
            var left = Math.Clamp((span.Start - start).TotalMilliseconds / total * 100, 0, 100 - MinimumWidth);
            var width = Math.Clamp((spanEnd - span.Start).TotalMilliseconds / total * 100, MinimumWidth, 100 - left);
            var duration = span.End is null ? "running" : Timeline.Duration(spanEnd - span.Start);
            var tokens = span.Tokens is { } count ? $"{count} tokens" : string.Empty;
            return Html.Render($"""
                <li class="span span-{span.Kind}"><div class="span-label"><span class="kind">{span.Kind}</span> {span.Label}{(span.Agent is null ? string.Empty : " · " + span.Agent)}</div><div class="span-track"><div class="span-bar" data-left="{left.ToString("0.##", CultureInfo.InvariantCulture)}" data-width="{width.ToString("0.##", CultureInfo.InvariantCulture)}"></div></div><div class="span-figures">{duration} {tokens}{(span.Problem is null ? string.Empty : " · " + span.Problem)}</div></li>
                """);
        });
        return Html.Render($"<ol class=\"timeline\">{Html.Join(rows)}</ol>");
    }

    private static Markup Outputs(RunSnapshot snapshot)
    {
        var tasks = snapshot.Tasks;
        if (tasks.Count == 0)
        {
            return Html.Render($"<p class=\"empty\">No task has finished yet.</p>");
        }

        return Html.Join(tasks.Select(task => Html.Render($"""
            <article class="output"><h3>{task.Name} <span class="sub">{task.Agent} · {Timeline.Duration(TimeSpan.FromSeconds(task.ExecutionTimeSeconds))} · {task.Usage.TotalTokens} tokens</span></h3>
            <div class="markdown">{SafeMarkdown.Render(task.Raw)}</div>
            {(task.JsonDict is { } json ? Json(json) : Markup.Empty)}
            </article>
            """)));
    }

    private static Markup Files(RunSnapshot snapshot)
    {
        if (snapshot.Files.Count == 0)
        {
            return Html.Render($"<p class=\"empty\">No files.</p>");
        }

        var id = snapshot.Run.Id.ToString("N");
        return Html.Render($"<ul class=\"files\">{Html.Join(snapshot.Files.Select(file => Html.Render(
            $"<li><a href=\"/ui/runs/{id}/files/{string.Join('/', file.Path.Split('/').Select(Uri.EscapeDataString))}\" download>{file.Path}</a> <span class=\"sub\">{file.Size} bytes</span></li>")))}</ul>");
    }

    private static Markup Deliveries(IReadOnlyList<DeliveryRecord> deliveries)
    {
        if (deliveries.Count == 0)
        {
            return Html.Render($"<p class=\"empty\">None.</p>");
        }

        return Html.Render($"""
            <div class="table-wrap"><table class="deliveries"><thead><tr><th scope="col">Kind</th><th scope="col">URL</th><th scope="col">State</th><th scope="col">Attempts</th></tr></thead>
            <tbody>{Html.Join(deliveries.Select(delivery => Html.Render($"""
                <tr><td>{delivery.Kind}</td><td class="mono wrap">{delivery.Url}</td><td>{delivery.State.ToString().ToLowerInvariant()}</td><td><ol class="attempts">{Html.Join(delivery.Attempts.Select(attempt => Html.Render(
                    $"<li>{Html.Time(attempt.AttemptedAt)} {(attempt.StatusCode is { } code ? $"HTTP {code}" : string.Empty)} {attempt.Error}</li>")))}</ol></td></tr>
                """)))}</tbody></table></div>
            """);
    }
}
