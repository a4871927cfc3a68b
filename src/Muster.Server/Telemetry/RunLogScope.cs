using System.Collections;

namespace Muster.Server.Telemetry;

/// <summary>
/// The log scope of a run's execution: every line logged while it executes carries its run id, crew and trace id (the
/// trace of its spans, stored with the run, so the line joins the trace in a log store even when no tracer samples it).
/// </summary>
internal sealed class RunLogScope(Guid runId, string crew, string? traceId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("RunId", runId),
        1 => new("Crew", crew),
        2 => new("TraceId", traceId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"Run {runId} of crew {crew}";
}
