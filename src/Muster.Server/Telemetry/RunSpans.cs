using System.Diagnostics;
using Muster.Core.Engine;
using Muster.Core.Telemetry;
using Muster.Storage;

namespace Muster.Server.Telemetry;

/// <summary>
/// The spans the server adds around a run's work: one <c>invoke_workflow {crew}</c> span per execution of the run, under
/// the trace context stored with the run, so that every execution (after a pause, a restart, on another node) lands in
/// the same trace; and the context a webhook delivery of the run is sent in.
/// </summary>
internal static class RunSpans
{
    /// <summary>The <c>traceparent</c> to store with a run kicked off now: the current span's (the kickoff request's).</summary>
    public static string? CurrentTraceParent() => TraceParentOf(Activity.Current);

    /// <summary>The W3C <c>traceparent</c> naming <paramref name="span"/>; null for none.</summary>
    public static string? TraceParentOf(Activity? span) => span is { IdFormat: ActivityIdFormat.W3C }
        ? $"00-{span.TraceId.ToHexString()}-{span.SpanId.ToHexString()}-{(span.Recorded ? "01" : "00")}"
        : null;

    /// <summary>The stored context, or none when the run has none (or it does not parse).</summary>
    public static ActivityContext Parent(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent) ? parent : default;

    /// <summary>
    /// One execution of <paramref name="run"/>; null while no tracer listens. An execution that continues the run links to
    /// the span of the execution before it (the last that recorded an event), which ended at a pause, a shutdown or with its
    /// node: the spans of one run are siblings under its kickoff, and the links say in which order they took it up.
    /// </summary>
    public static Activity? Workflow(RunRecord run)
    {
        if (!MusterTelemetry.Source.HasListeners())
        {
            return null;
        }

        ActivityLink[]? previous = run.ExecutionSpan is not null && ActivityContext.TryParse(run.ExecutionSpan, null, isRemote: true, out var earlier)
            ? [new ActivityLink(earlier)]
            : null;
        var span = MusterTelemetry.Source.StartActivity(
            $"invoke_workflow {run.CrewName}", ActivityKind.Internal, Parent(run.TraceParent), links: previous);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(SpanAttributes.OperationName, "invoke_workflow");
            span.SetTag(SpanAttributes.AgentName, run.CrewName);
            span.SetTag(SpanAttributes.ConversationId, run.Id.ToString());
            span.SetTag(SpanAttributes.Crew, run.CrewName);
            span.SetTag(SpanAttributes.RunId, run.Id.ToString());
            span.SetTag("muster.run.continued", run.LastSequence > 0);
        }

        return span;
    }

    /// <summary>Ends an execution's span with how it ended, and the run's usage so far.</summary>
    public static void End(Activity? span, RunOutcome outcome, RunRecord run)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag("muster.run.outcome", outcome.Kind switch
        {
            RunOutcomeKind.Completed => "completed",
            RunOutcomeKind.Failed => "failed",
            RunOutcomeKind.AwaitingHuman => "awaiting_human",
            _ => "stopped",
        });
        span.SetTag(SpanAttributes.InputTokens, run.Usage.PromptTokens);
        span.SetTag(SpanAttributes.OutputTokens, run.Usage.CompletionTokens);
        if (outcome.Kind == RunOutcomeKind.Failed)
        {
            span.SetStatus(ActivityStatusCode.Error, outcome.Error);
            span.SetTag(SpanAttributes.ErrorType, "run_failed");
        }
    }

    /// <summary>A webhook delivery of a run: a client span under the run's stored context, which its HTTP request carries.</summary>
    public static Activity? Delivery(Guid runId, string kind, string? traceParent)
    {
        var span = MusterTelemetry.Source.StartActivity($"webhook {kind}", ActivityKind.Client, Parent(traceParent));
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(SpanAttributes.RunId, runId.ToString());
            span.SetTag("muster.webhook.kind", kind);
        }

        return span;
    }
}
