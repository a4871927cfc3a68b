using Microsoft.Extensions.AI;

namespace Muster.Core.Llm;

/// <summary>Hands out the <see cref="IChatClient"/> pipeline of a named provider.</summary>
public interface ILlmClientProvider
{
    /// <summary>The provider's client (retries and timeout included); the model goes in <see cref="ChatOptions.ModelId"/>.</summary>
    /// <exception cref="LlmConfigurationException">The provider is unknown or lacks an API key it needs.</exception>
    IChatClient GetClient(string provider);
}
