using System.Text.Json.Nodes;
using Muster.Contracts.Amp;
using Muster.Contracts.Runs;

namespace Muster.Cli.Infrastructure;

/// <summary>
/// What a waiting person sees of a run: tasks done of total, the current task and agent, tokens so far, a pending
/// review. Fed by the AMP status polls (any AMP server) and, when the server is Muster, by its live events, which add
/// the agent and the tokens. Updated from two tasks at once, read by the view.
/// </summary>
internal sealed class RunMonitor : IProgress<StatusResponse>
{
    private readonly Lock _lock = new();
    // Polls and events each count finished tasks; the view shows the larger, so neither is counted twice.
    private int _completed;
    private int _completedEvents;
    private int _total;
    private string? _task;
    private string? _agent;
    private long? _tokens;
    private string? _pendingTask;

    public int Completed { get { lock (_lock) { return Math.Max(_completed, _completedEvents); } } }

    public int Total { get { lock (_lock) { return _total; } } }

    /// <summary>The task awaiting human review, if the run is paused.</summary>
    public string? PendingTask { get { lock (_lock) { return _pendingTask; } } }

    public void Report(StatusResponse value)
    {
        lock (_lock)
        {
            if (value.Progress is { } progress)
            {
                _completed = Math.Max(_completed, progress.CompletedTasks);
                _total = Math.Max(_total, progress.TotalTasks);
            }

            if (value.CurrentTask is { } task && task != _task)
            {
                _task = task;
                _agent = null;
            }

            if (value.Result is { } result)
            {
                _completed = Math.Max(_completed, result.Tasks.Count);
            }

            if (value.TokenUsage is { } usage)
            {
                _tokens = usage.TotalTokens;
            }

            _pendingTask = value.PendingHumanInput?.TaskId;
        }
    }

    public void Apply(RunEventDto runEvent)
    {
        var data = runEvent.Data ?? [];
        lock (_lock)
        {
            switch (runEvent.Type)
            {
                case "crew_kickoff_started" when Number(data["total_tasks"]) is { } total:
                    _total = Math.Max(_total, (int)total);
                    break;
                case "task_started":
                    _task = Text(data["task_name"]);
                    _agent = Text(data["agent"]);
                    _pendingTask = null;
                    break;
                case "task_completed":
                    _completedEvents++;
                    break;
                case "task_awaiting_human":
                    _pendingTask = Text(data["task_name"]);
                    break;
                case "llm_call_completed" when Number(data["token_usage"]?["total_tokens"]) is { } tokens:
                    _tokens = (_tokens ?? 0) + tokens;
                    break;
            }
        }
    }

    /// <summary>One line: <c>2/3 tasks · report_task (Writer) · 1,234 tokens</c>.</summary>
    public string Describe()
    {
        lock (_lock)
        {
            var parts = new List<string> { _total > 0 ? $"{Math.Max(_completed, _completedEvents)}/{_total} tasks" : "starting" };
            if (_pendingTask is not null)
            {
                parts.Add($"awaiting review of {_pendingTask}");
            }
            else if (_task is not null)
            {
                parts.Add(_agent is null ? _task : $"{_task} ({_agent})");
            }

            if (_tokens is { } tokens)
            {
                parts.Add($"{Display.Count(tokens)} tokens");
            }

            return string.Join(" · ", parts);
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? Display.OneLine(text) : null;

    private static long? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue(out long number) ? number : null;
}
