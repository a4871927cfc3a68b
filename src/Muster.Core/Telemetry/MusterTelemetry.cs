using System.Diagnostics;

namespace Muster.Core.Telemetry;

/// <summary>
/// Muster's own telemetry names: one <see cref="ActivitySource"/> for the spans of runs (the engine's and the server's)
/// and the name of the <c>Meter</c> the server counts runs with. Spans follow the OpenTelemetry GenAI semantic
/// conventions; the attributes beyond them start with <c>muster.</c>.
/// </summary>
public static class MusterTelemetry
{
    /// <summary>The name of Muster's activity source and meter.</summary>
    public const string Name = "Muster";

    /// <summary>Where every span of a run comes from; it creates nothing while no listener (an OpenTelemetry tracer) is attached.</summary>
    public static ActivitySource Source { get; } = new(Name, typeof(MusterTelemetry).Assembly.GetName().Version?.ToString());
}

/// <summary>The attribute names the spans carry: the GenAI conventions' and Muster's own.</summary>
public static class SpanAttributes
{
    /// <summary><c>gen_ai.operation.name</c>: invoke_workflow, invoke_agent, execute_tool, chat.</summary>
    public const string OperationName = "gen_ai.operation.name";

    /// <summary><c>gen_ai.provider.name</c>: the LLM provider of a model reference (<c>openai</c> of <c>openai/gpt-4o</c>).</summary>
    public const string ProviderName = "gen_ai.provider.name";

    /// <summary><c>gen_ai.request.model</c>.</summary>
    public const string RequestModel = "gen_ai.request.model";

    /// <summary><c>gen_ai.agent.name</c>: an agent's role, or the crew's name on the workflow span.</summary>
    public const string AgentName = "gen_ai.agent.name";

    /// <summary><c>gen_ai.tool.name</c>.</summary>
    public const string ToolName = "gen_ai.tool.name";

    /// <summary><c>gen_ai.tool.call.id</c>.</summary>
    public const string ToolCallId = "gen_ai.tool.call.id";

    /// <summary><c>gen_ai.tool.type</c>.</summary>
    public const string ToolType = "gen_ai.tool.type";

    /// <summary><c>gen_ai.tool.call.arguments</c> (content: only with <c>Muster:Telemetry:CaptureContent</c>).</summary>
    public const string ToolCallArguments = "gen_ai.tool.call.arguments";

    /// <summary><c>gen_ai.tool.call.result</c> (content: only with <c>Muster:Telemetry:CaptureContent</c>).</summary>
    public const string ToolCallResult = "gen_ai.tool.call.result";

    /// <summary><c>gen_ai.conversation.id</c>: the run's kickoff id.</summary>
    public const string ConversationId = "gen_ai.conversation.id";

    /// <summary><c>gen_ai.usage.input_tokens</c>.</summary>
    public const string InputTokens = "gen_ai.usage.input_tokens";

    /// <summary><c>gen_ai.usage.output_tokens</c>.</summary>
    public const string OutputTokens = "gen_ai.usage.output_tokens";

    /// <summary><c>error.type</c>: the type of the exception that failed the operation.</summary>
    public const string ErrorType = "error.type";

    /// <summary><c>muster.crew</c>: the crew's name.</summary>
    public const string Crew = "muster.crew";

    /// <summary><c>muster.task</c>: the task's name.</summary>
    public const string Task = "muster.task";

    /// <summary><c>muster.run.id</c>: the run's (kickoff) id.</summary>
    public const string RunId = "muster.run.id";
}
