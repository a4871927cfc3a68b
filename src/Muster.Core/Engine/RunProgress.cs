using Muster.Contracts;
using Muster.Core.Crews;

namespace Muster.Core.Engine;

/// <summary>
/// A run's outputs and usage so far, including what the checkpoint recorded before this start. Thread-safe:
/// async_execution tasks complete while the crew goes on.
/// </summary>
internal sealed class RunProgress(CrewDefinition crew, RunCheckpoint checkpoint, TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private readonly long _started = timeProvider.GetTimestamp();
    private readonly List<TaskOutput> _completed = checkpoint.CompletedTasks.Where(o => crew.Tasks.Any(t => t.Name == o.Name)).ToList();
    private TokenUsage _newUsage = TokenUsage.Zero;

    /// <summary>The finished tasks' outputs, in the crew's task order.</summary>
    public IReadOnlyList<TaskOutput> Completed
    {
        get
        {
            lock (_lock)
            {
                return [.. crew.Tasks.Select(t => _completed.FirstOrDefault(o => o.Name == t.Name)).OfType<TaskOutput>()];
            }
        }
    }

    /// <summary>Everything the run consumed: recorded task outputs plus the calls made since this start.</summary>
    public TokenUsage Usage
    {
        get
        {
            lock (_lock)
            {
                return checkpoint.CompletedTasks.Aggregate(TokenUsage.Zero, (sum, o) => sum + o.Usage) + _newUsage;
            }
        }
    }

    /// <summary>The time recorded by earlier starts (their tasks) plus the time of this one.</summary>
    public double ElapsedSeconds =>
        checkpoint.CompletedTasks.Sum(o => o.ExecutionTimeSeconds) + timeProvider.GetElapsedTime(_started).TotalSeconds;

    public bool IsCompleted(string taskName)
    {
        lock (_lock)
        {
            return _completed.Any(o => o.Name == taskName);
        }
    }

    public void AddUsage(TokenUsage usage)
    {
        lock (_lock)
        {
            _newUsage += usage;
        }
    }

    public void Complete(TaskOutput output)
    {
        lock (_lock)
        {
            _completed.Add(output);
        }
    }

    public CrewOutput ToCrewOutput()
    {
        var ordered = Completed;
        return new CrewOutput
        {
            Raw = ordered.Count > 0 ? ordered[^1].Raw : "",
            JsonDict = ordered.Count > 0 ? ordered[^1].JsonDict : null,
            TasksOutput = ordered,
            Usage = ordered.Aggregate(TokenUsage.Zero, (sum, o) => sum + o.Usage),
            ExecutionTimeSeconds = ElapsedSeconds,
        };
    }
}
