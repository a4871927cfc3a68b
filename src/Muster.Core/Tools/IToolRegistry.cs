using Microsoft.Extensions.AI;

namespace Muster.Core.Tools;

/// <summary>The tools agents.yaml and tasks.yaml may name: the built-ins plus any the host registers.</summary>
public interface IToolRegistry
{
    /// <summary>Every tool name, case-sensitive as written in YAML.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>The tool called <paramref name="name"/>, or null.</summary>
    AIFunction? Find(string name);
}

/// <summary>A tool registered with <c>services.AddMusterTool(...)</c>.</summary>
public sealed record ToolRegistration(AIFunction Function);

/// <summary>A fixed set of tools, keyed by <see cref="AITool.Name"/>; a later tool of the same name wins.</summary>
public sealed class ToolRegistry : IToolRegistry
{
    private readonly Dictionary<string, AIFunction> _tools = new(StringComparer.Ordinal);

    /// <summary>A registry of <paramref name="tools"/>; of two with the same name, the later wins.</summary>
    /// <param name="tools">The built-in tools and those the host registered.</param>
    public ToolRegistry(IEnumerable<AIFunction> tools)
    {
        foreach (var tool in tools)
        {
            _tools[tool.Name] = tool;
        }
    }

    /// <summary>The built-in tools with default options.</summary>
    public static ToolRegistry BuiltIn { get; } = new(BuiltInTools.Create(new BuiltInToolOptions(), TimeProvider.System));

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Names => _tools.Keys;

    /// <inheritdoc/>
    public AIFunction? Find(string name) => _tools.GetValueOrDefault(name);
}
