using Muster.Llm;

namespace Muster.Core.Tests;

/// <summary>What the OpenAI package's pipeline does in Muster: send and classify, nothing the decorators around it do.</summary>
public sealed class OpenAiClientOptionsTests
{
    [Fact]
    public void ThePackagesRetryAndMessageLoggingSteps_OnlyHandTheMessageOn()
    {
        // Each kept two async state machines alive for the whole of every call (OpenAiProviderTests shows that retries,
        // Retry-After and error answers still work through ResilientChatClient).
        var options = OpenAiChatClient.ClientOptions(new Uri("http://127.0.0.1:9/v1"));

        options.RetryPolicy.ShouldBeSameAs(PassThroughPolicy.Instance);
        options.MessageLoggingPolicy.ShouldBeSameAs(PassThroughPolicy.Instance);
        options.Endpoint.ShouldBe(new Uri("http://127.0.0.1:9/v1"));
    }
}
