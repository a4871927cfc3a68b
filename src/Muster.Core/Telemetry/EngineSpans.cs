using System.Diagnostics;
using Muster.Contracts;
using Muster.Core.Engine;
using Muster.Core.Llm;

namespace Muster.Core.Telemetry;

/// <summary>
/// The engine's spans, children of whatever span is current (the run's <c>invoke_workflow</c> span, which the server
/// starts): a task's <c>invoke_agent</c>, a delegation's nested <c>invoke_agent</c>, a tool's <c>execute_tool</c>, a
/// guardrail check and an output_json retry. Every method returns null, and builds no tags, while no tracer listens.
/// </summary>
internal static class EngineSpans
{
    /// <summary>A task performed by <paramref name="role"/>, or work a co-worker does for <paramref name="delegatedBy"/>.</summary>
    public static Activity? Agent(RunContext run, string task, string role, string model, string? delegatedBy)
    {
        if (!MusterTelemetry.Source.HasListeners())
        {
            return null;
        }

        var reference = ModelReference.Parse(model);
        var span = MusterTelemetry.Source.StartActivity($"invoke_agent {role}", ActivityKind.Internal);
        if (span is { IsAllDataRequested: true })
        {
            Common(span, run, task, "invoke_agent");
            span.SetTag(SpanAttributes.AgentName, role);
            span.SetTag(SpanAttributes.ProviderName, reference.Provider);
            span.SetTag(SpanAttributes.RequestModel, reference.Model);
            if (delegatedBy is not null)
            {
                span.SetTag("muster.delegated_by", delegatedBy);
            }
        }

        return span;
    }

    /// <summary>One call of <paramref name="tool"/>; its arguments only when content is captured.</summary>
    public static Activity? Tool(RunContext run, string task, string tool, string? callId, Func<string> arguments)
    {
        var span = MusterTelemetry.Source.StartActivity($"execute_tool {tool}", ActivityKind.Internal);
        if (span is { IsAllDataRequested: true })
        {
            Common(span, run, task, "execute_tool");
            span.SetTag(SpanAttributes.ToolName, tool);
            span.SetTag(SpanAttributes.ToolType, "function");
            span.SetTag(SpanAttributes.ToolCallId, callId);
            if (run.EngineOptions.CaptureContent)
            {
                span.SetTag(SpanAttributes.ToolCallArguments, arguments());
            }
        }

        return span;
    }

    /// <summary>A guardrail check of a task's output (attempt <paramref name="retry"/>: 0 for the first output).</summary>
    public static Activity? Guardrail(RunContext run, string task, string guardrail, string kind, int retry)
    {
        var span = MusterTelemetry.Source.StartActivity($"guardrail {task}", ActivityKind.Internal);
        if (span is { IsAllDataRequested: true })
        {
            Common(span, run, task, "guardrail");
            span.SetTag("muster.guardrail.kind", kind);
            span.SetTag("muster.guardrail.retry", retry);
            if (run.EngineOptions.CaptureContent)
            {
                span.SetTag("muster.guardrail", guardrail);
            }
        }

        return span;
    }

    /// <summary>An answer that did not fit the task's <c>output_json</c>, asked for again (attempt counts from 1).</summary>
    public static Activity? OutputJsonRetry(RunContext run, string task, int attempt, IReadOnlyList<string> errors)
    {
        var span = MusterTelemetry.Source.StartActivity($"output_json {task}", ActivityKind.Internal);
        if (span is { IsAllDataRequested: true })
        {
            Common(span, run, task, "output_json");
            span.SetTag("muster.output_json.attempt", attempt);
            span.SetTag("muster.output_json.errors", errors.Count);
        }

        return span;
    }

    /// <summary>The tokens the span's work consumed.</summary>
    public static void Usage(Activity? span, TokenUsage usage)
    {
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag(SpanAttributes.InputTokens, usage.PromptTokens);
            span.SetTag(SpanAttributes.OutputTokens, usage.CompletionTokens);
        }
    }

    /// <summary>Content: set only when <c>Muster:Telemetry:CaptureContent</c> is on.</summary>
    public static void Content(Activity? span, RunContext run, string key, Func<string> value)
    {
        if (span is { IsAllDataRequested: true } && run.EngineOptions.CaptureContent)
        {
            span.SetTag(key, value());
        }
    }

    /// <summary>Marks the span failed: status Error with the message, <c>error.type</c> the exception's type.</summary>
    public static void Fail(Activity? span, Exception exception) => Fail(span, exception.GetType().FullName ?? "error", exception.Message);

    /// <inheritdoc cref="Fail(Activity?, Exception)"/>
    public static void Fail(Activity? span, string errorType, string message)
    {
        if (span is null)
        {
            return;
        }

        span.SetStatus(ActivityStatusCode.Error, message);
        span.SetTag(SpanAttributes.ErrorType, errorType);
    }

    private static void Common(Activity span, RunContext run, string task, string operation)
    {
        span.SetTag(SpanAttributes.OperationName, operation);
        span.SetTag(SpanAttributes.ConversationId, run.Events.RunIdText);
        span.SetTag(SpanAttributes.Crew, run.Crew.Name);
        span.SetTag(SpanAttributes.Task, task);
        span.SetTag(SpanAttributes.RunId, run.Events.RunIdText);
    }
}
