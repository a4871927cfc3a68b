using System.Text.Json.Nodes;

namespace Muster.Core.Engine;

/// <summary>
/// Numbers a run's events from the checkpoint on and sends them to the sink, one at a time, in order. Safe to call
/// from tasks running concurrently (async_execution, parallel tool calls): each event is numbered and recorded
/// before the next one is, so the sink always sees one gap-free run-wide sequence. A sink that fails ends the engine's
/// work on the run with a <see cref="RunSinkException"/>.
/// </summary>
internal sealed class RunEventWriter(Guid runId, long lastSequence, IRunSink sink, TimeProvider timeProvider, CancellationToken cancellationToken) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _sequence = lastSequence;

    public Guid RunId => runId;

    /// <summary>The run itself is cancelled (stopped or shut down): nothing more may be published.</summary>
    public bool RunCancelled => cancellationToken.IsCancellationRequested;

    public async ValueTask PublishAsync(string type, JsonObject data, TaskOutput? taskOutput = null)
    {
        // A cancelled run emits nothing more: the server decides whether it was a stop or a shutdown.
        cancellationToken.ThrowIfCancellationRequested();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var runEvent = new RunEvent
            {
                RunId = runId,
                Sequence = _sequence + 1,
                Type = type,
                Timestamp = timeProvider.GetUtcNow(),
                Data = data,
                TaskOutput = taskOutput,
            };
            try
            {
                await sink.PublishAsync(runEvent, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Marked, so that no catch on the way out mistakes it for the failure of an LLM call, a tool or a task.
                throw new RunSinkException(ex);
            }

            _sequence++;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    public static JsonObject Usage(TokenUsage usage) => new()
    {
        ["total_tokens"] = usage.TotalTokens,
        ["prompt_tokens"] = usage.PromptTokens,
        ["completion_tokens"] = usage.CompletionTokens,
        ["cached_prompt_tokens"] = usage.CachedPromptTokens,
        ["successful_requests"] = usage.SuccessfulRequests,
    };

    public static JsonObject TaskCompletedData(TaskOutput output) => new()
    {
        ["task_name"] = output.Name,
        ["task_id"] = output.Name,
        ["agent"] = output.Agent,
        ["description"] = output.Description,
        ["expected_output"] = output.ExpectedOutput,
        ["summary"] = output.Summary,
        ["output"] = output.Raw,
        ["output_json"] = output.JsonDict?.DeepClone(),
        ["execution_time"] = output.ExecutionTimeSeconds,
        ["token_usage"] = Usage(output.Usage),
    };
}
