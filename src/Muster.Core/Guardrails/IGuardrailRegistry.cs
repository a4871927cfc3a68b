using Muster.Core.Engine;

namespace Muster.Core.Guardrails;

/// <summary>A guardrail's verdict on a task output: pass, or fail with feedback the agent gets when it redoes the task.</summary>
public sealed record GuardrailResult(bool Success, string? Feedback = null)
{
    /// <summary>The output passes.</summary>
    public static GuardrailResult Pass() => new(true);

    /// <summary>The output fails.</summary>
    /// <param name="feedback">What is wrong: the agent is told it when it redoes the task, and the task's error quotes the last one.</param>
    public static GuardrailResult Fail(string feedback) => new(false, feedback);
}

/// <summary>A guardrail written in .NET, checking a task's output; tasks.yaml names it in <c>guardrail</c>.</summary>
public delegate ValueTask<GuardrailResult> TaskGuardrail(TaskOutput output, CancellationToken cancellationToken);

/// <summary>The .NET guardrails tasks.yaml may name. A task's <c>guardrail</c> that is not a registered name is a plain-language rule checked by an LLM.</summary>
public interface IGuardrailRegistry
{
    /// <summary>The registered names.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>The guardrail called <paramref name="name"/> (exact, case-sensitive), or null.</summary>
    TaskGuardrail? Find(string name);
}

/// <summary>A guardrail registered with <c>services.AddMusterGuardrail(...)</c>.</summary>
public sealed record GuardrailRegistration(string Name, TaskGuardrail Guardrail);

/// <summary>A fixed set of named guardrails; a later one of the same name wins.</summary>
public sealed class GuardrailRegistry : IGuardrailRegistry
{
    private readonly Dictionary<string, TaskGuardrail> _guardrails = new(StringComparer.Ordinal);

    /// <summary>Registers <paramref name="registrations"/>; of two with the same name, the later wins.</summary>
    /// <param name="registrations">The guardrails the host registered.</param>
    public GuardrailRegistry(IEnumerable<GuardrailRegistration> registrations)
    {
        foreach (var registration in registrations)
        {
            _guardrails[registration.Name] = registration.Guardrail;
        }
    }

    /// <summary>No registered guardrails: every <c>guardrail</c> is a plain-language rule.</summary>
    public static GuardrailRegistry Empty { get; } = new([]);

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Names => _guardrails.Keys;

    /// <summary>The guardrail registered as <paramref name="name"/> (case-sensitive; surrounding spaces ignored), or null.</summary>
    /// <param name="name">A task's <c>guardrail</c> value.</param>
    public TaskGuardrail? Find(string name) => _guardrails.GetValueOrDefault(name.Trim());
}
