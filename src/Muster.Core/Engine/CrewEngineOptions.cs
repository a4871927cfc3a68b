using System.ComponentModel.DataAnnotations;

namespace Muster.Core.Engine;

/// <summary>Engine settings; the server binds them from <c>Muster:Engine</c> (<see cref="OutputRoot"/> from <c>Muster:Outputs:Path</c>).</summary>
public sealed class CrewEngineOptions
{
    /// <summary>The configuration section the server binds these options from.</summary>
    public const string Section = "Muster:Engine";

    /// <summary>Where tasks' <c>output_file</c>s are written: each run in its own folder below this one (see <see cref="Outputs.OutputFiles"/>).</summary>
    public string OutputRoot { get; set; } = "output";

    /// <summary>How often an answer that does not satisfy a task's <c>output_json</c> is sent back with the errors before the task fails (0: never).</summary>
    [Range(0, 20)]
    public int OutputJsonMaxRetries { get; set; } = 3;

    /// <summary>
    /// The most one run may record, in bytes of JSON: what it recorded before (<see cref="RunCheckpoint.RecordedBytes"/>) and the
    /// data of the events it emits. An event that would go past it is not emitted: the task fails with
    /// <see cref="RunLimitExceededException"/>'s message, then the run. Events that report a failure are always emitted. Null: no
    /// limit (the server sets it from <c>Muster:Limits:MaxRunBytes</c>).
    /// </summary>
    [Range(1, long.MaxValue)]
    public long? MaxRunBytes { get; set; }

    /// <summary>
    /// Whether spans carry content: tool arguments and results, task outputs, guardrail rules (the server sets it from
    /// <c>Muster:Telemetry:CaptureContent</c>). Off by default, as the GenAI conventions advise: content is sensitive.
    /// </summary>
    public bool CaptureContent { get; set; }
}
