using System.Diagnostics.Metrics;
using Muster.Core.Engine;
using Muster.Core.Llm;
using Muster.Core.Telemetry;
using Muster.Server.Runs;

namespace Muster.Server.Telemetry;

/// <summary>
/// Muster's own metrics (meter <c>Muster</c>), counted from the runs' typed events and the scheduler's and dispatcher's
/// work. An instrument with no listener costs a check; nothing is exported unless telemetry is configured.
/// </summary>
internal sealed class MusterMetrics
{
    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _stopped;
    private readonly Counter<long> _paused;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _toolCalls;
    private readonly Counter<long> _toolErrors;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _takeovers;
    private readonly Counter<long> _deliveriesSent;
    private readonly Counter<long> _deliveriesFailed;
    private readonly Counter<long> _deliveriesRetried;
    private readonly Histogram<double> _deliveryLag;
    private WaitingRunsReading _waiting = new(0, 0);

    public MusterMetrics(IMeterFactory meters, ExecutingRuns executing)
    {
        var meter = meters.Create(MusterTelemetry.Name);
        _started = meter.CreateCounter<long>("muster.runs.started", "{run}", "Runs that started executing for the first time.");
        _completed = meter.CreateCounter<long>("muster.runs.completed", "{run}", "Runs that completed every task.");
        _failed = meter.CreateCounter<long>("muster.runs.failed", "{run}", "Runs that failed.");
        _stopped = meter.CreateCounter<long>("muster.runs.stopped", "{run}", "Runs ended by a stop request.");
        _paused = meter.CreateCounter<long>("muster.runs.paused", "{run}", "Times a run paused for human input.");
        _duration = meter.CreateHistogram<double>("muster.run.duration", "s", "Seconds of work of a run that ended, earlier executions included.");
        _toolCalls = meter.CreateCounter<long>("muster.tool.calls", "{call}", "Tool calls made by agents.");
        _toolErrors = meter.CreateCounter<long>("muster.tool.errors", "{call}", "Tool calls that failed.");
        _cost = meter.CreateCounter<double>("muster.llm.cost", "USD", "US dollars spent on LLM calls, at the configured prices.");
        _takeovers = meter.CreateCounter<long>("muster.lease.takeovers", "{run}", "Runs this node continued after their executor's lease lapsed or was handed back.");
        _deliveriesSent = meter.CreateCounter<long>("muster.webhook.deliveries.sent", "{delivery}", "Webhook deliveries accepted by their receiver.");
        _deliveriesFailed = meter.CreateCounter<long>("muster.webhook.deliveries.failed", "{delivery}", "Webhook deliveries given up on.");
        _deliveriesRetried = meter.CreateCounter<long>("muster.webhook.deliveries.retried", "{delivery}", "Webhook delivery attempts that failed and will be retried.");
        _deliveryLag = meter.CreateHistogram<double>("muster.webhook.delivery.lag", "s", "Seconds from a delivery's creation to its receiver accepting it.");
        meter.CreateObservableUpDownCounter("muster.runs.executing", () => (long)executing.Count, "{run}", "Runs executing on this node.");
        meter.CreateObservableUpDownCounter("muster.runs.pending", () => _waiting.Pending, "{run}", "Runs waiting to be claimed by a node (all nodes).");
        meter.CreateObservableUpDownCounter("muster.runs.awaiting_human", () => _waiting.AwaitingHuman, "{run}", "Runs paused for human input (all nodes).");
    }

    /// <summary>The latest count of waiting runs, read from the store by <see cref="WaitingRunsGauge"/>.</summary>
    public void SetWaiting(long pending, long awaitingHuman) => _waiting = new WaitingRunsReading(pending, awaitingHuman);

    /// <summary>Counts what an event of a run of <paramref name="crew"/> says happened.</summary>
    public void Observe(string crew, RunEventData data)
    {
        switch (data)
        {
            case CrewKickoffStarted { Resumed: false } when _started.Enabled:
                _started.Add(1, Crew(crew));
                break;
            case CrewKickoffCompleted completed:
                _completed.Add(1, Crew(crew));
                Duration(crew, "completed", completed.ExecutionTime);
                break;
            case CrewKickoffFailed { Stopped: true } stopped:
                RunStopped(crew);
                Duration(crew, "stopped", stopped.ExecutionTime);
                break;
            case CrewKickoffFailed failed:
                _failed.Add(1, Crew(crew));
                Duration(crew, "failed", failed.ExecutionTime);
                break;
            case TaskAwaitingHuman when _paused.Enabled:
                _paused.Add(1, Crew(crew));
                break;
            case ToolUsageFinished finished when _toolCalls.Enabled:
                _toolCalls.Add(1, Crew(crew), new("gen_ai.tool.name", finished.ToolName));
                break;
            case LlmCallCompleted { Usage.CostUsd: { } cost } call when _cost.Enabled:
                // A call whose model has no price adds nothing: its cost is unknown, not 0.
                var model = ModelReference.Parse(call.Model);
                _cost.Add((double)cost, new(SpanAttributes.ProviderName, model.Provider), new(SpanAttributes.RequestModel, model.Model));
                break;
            case ToolUsageError error when _toolCalls.Enabled || _toolErrors.Enabled:
                _toolCalls.Add(1, Crew(crew), new("gen_ai.tool.name", error.ToolName));
                _toolErrors.Add(1, Crew(crew), new("gen_ai.tool.name", error.ToolName));
                break;
        }
    }

    /// <summary>A run that ended by a stop without an execution to emit its end (pending, or paused).</summary>
    public void RunStopped(string crew) => _stopped.Add(1, Crew(crew));

    public void LeaseTakeover(string crew) => _takeovers.Add(1, Crew(crew));

    public void DeliverySent(string kind, TimeSpan lag)
    {
        _deliveriesSent.Add(1, Kind(kind));
        _deliveryLag.Record(Math.Max(0, lag.TotalSeconds), Kind(kind));
    }

    public void DeliveryFailed(string kind) => _deliveriesFailed.Add(1, Kind(kind));

    public void DeliveryRetried(string kind) => _deliveriesRetried.Add(1, Kind(kind));

    private void Duration(string crew, string outcome, double seconds)
    {
        if (_duration.Enabled)
        {
            _duration.Record(seconds, Crew(crew), new("muster.run.outcome", outcome));
        }
    }

    private static KeyValuePair<string, object?> Crew(string crew) => new(SpanAttributes.Crew, crew);

    private static KeyValuePair<string, object?> Kind(string kind) => new("muster.webhook.kind", kind);

    // A reference, so that a reader sees both counts of one reading.
    private sealed record WaitingRunsReading(long Pending, long AwaitingHuman);
}
