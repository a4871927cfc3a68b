using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Muster.Core.Llm;
using Muster.Llm;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the LLM providers the engine's agents call.</summary>
public static class MusterLlmServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ILlmClientProvider"/>, configured from <paramref name="llmSection"/> (normally <c>Muster:Llm</c>), and
    /// <see cref="TimeProvider.System"/>, each only if absent.
    /// </summary>
    public static IServiceCollection AddMusterLlm(this IServiceCollection services, IConfiguration llmSection)
    {
        ArgumentNullException.ThrowIfNull(llmSection);
        services.AddOptions<LlmOptions>().Bind(llmSection);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ILlmClientProvider, LlmClientProvider>();
        return services;
    }
}
