namespace Muster.Core.Engine;

/// <summary>Engine settings; the host sets them with <c>services.Configure&lt;CrewEngineOptions&gt;(...)</c>.</summary>
public sealed class CrewEngineOptions
{
    /// <summary>Where tasks' <c>output_file</c>s are written: each run in its own folder below this one (see <see cref="Outputs.OutputFiles"/>).</summary>
    public string OutputRoot { get; set; } = "output";

    /// <summary>How often an answer that does not satisfy a task's <c>output_json</c> is sent back with the errors before the task fails (0: never).</summary>
    public int OutputJsonMaxRetries { get; set; } = 3;
}
