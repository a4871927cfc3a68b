using Muster.Core.Engine;

namespace Muster.Core.Guardrails;

/// <summary>A guardrail's verdict on a task output: pass, or fail with feedback the agent gets when it redoes the task.</summary>
public sealed record GuardrailResult(bool Success, string? Feedback = null)
{
    public static GuardrailResult Pass() => new(true);

    public static GuardrailResult Fail(string feedback) => new(false, feedback);
}

/// <summary>A guardrail written in .NET, checking a task's output; tasks.yaml names it in <c>guardrail</c>.</summary>
public delegate ValueTask<GuardrailResult> TaskGuardrail(TaskOutput output, CancellationToken cancellationToken);

/// <summary>The .NET guardrails tasks.yaml may name. A task's <c>guardrail</c> that is not a registered name is a plain-language rule checked by an LLM.</summary>
public interface IGuardrailRegistry
{
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

    public GuardrailRegistry(IEnumerable<GuardrailRegistration> registrations)
    {
        foreach (var registration in registrations)
        {
            _guardrails[registration.Name] = registration.Guardrail;
        }
    }

    /// <summary>No registered guardrails: every <c>guardrail</c> is a plain-language rule.</summary>
    public static GuardrailRegistry Empty { get; } = new([]);

    public IReadOnlyCollection<string> Names => _guardrails.Keys;

    public TaskGuardrail? Find(string name) => _guardrails.GetValueOrDefault(name.Trim());
}
