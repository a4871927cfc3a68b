using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Muster.Core.Costs;
using Muster.Core.Engine;
using Muster.Core.Guardrails;
using Muster.Core.Llm;
using Muster.Core.Tools;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Muster's engine and tools.</summary>
public static class MusterCoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ICrewEngine"/>, <see cref="IToolRegistry"/>, <see cref="IGuardrailRegistry"/>, an <see cref="IMcpToolSource"/>
    /// that starts no server (<c>AddMusterMcpTools</c> replaces it) and <see cref="TimeProvider.System"/>, each only if absent. The
    /// engine also needs an <see cref="ILlmClientProvider"/> (<c>AddMusterLlm</c>, Muster.Llm) and the host's logging.
    /// </summary>
    public static IServiceCollection AddMusterCore(this IServiceCollection services)
    {
        services.AddOptions<LlmOptions>();
        services.AddOptions<LlmPriceOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmPriceOptions>, LlmPriceOptionsValidator>());
        services.TryAddSingleton<PriceList>();
        services.AddOptions<CrewEngineOptions>();
        services.AddOptions<BuiltInToolOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IToolRegistry>(sp => new ToolRegistry(
            BuiltInTools.Create(sp.GetRequiredService<IOptions<BuiltInToolOptions>>().Value, sp.GetRequiredService<TimeProvider>())
                .Concat(sp.GetServices<ToolRegistration>().Select(r => r.Function))));
        services.TryAddSingleton<IGuardrailRegistry>(sp => new GuardrailRegistry(sp.GetServices<GuardrailRegistration>()));
        services.TryAddSingleton<IMcpToolSource, NoMcpToolSource>();
        services.TryAddSingleton<ICrewEngine, CrewEngine>();
        return services;
    }

    /// <summary>Makes <paramref name="tool"/> available to crews by its <see cref="AITool.Name"/> (it replaces a built-in of the same name).</summary>
    public static IServiceCollection AddMusterTool(this IServiceCollection services, AIFunction tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        services.AddSingleton(new ToolRegistration(tool));
        return services;
    }

    /// <summary>
    /// Makes <paramref name="guardrail"/> available to tasks.yaml as <c>guardrail: {name}</c>; a registered name wins over
    /// reading the field as a plain-language rule.
    /// </summary>
    public static IServiceCollection AddMusterGuardrail(this IServiceCollection services, string name, TaskGuardrail guardrail)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(guardrail);
        services.AddSingleton(new GuardrailRegistration(name.Trim(), guardrail));
        return services;
    }

    /// <summary>Makes a .NET method available to crews as the tool <paramref name="name"/>; its parameters become the tool's arguments.</summary>
    public static IServiceCollection AddMusterTool(this IServiceCollection services, string name, string description, Delegate method) =>
        services.AddMusterTool(AIFunctionFactory.Create(method, name, description));
}
