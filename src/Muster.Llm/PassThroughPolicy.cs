using System.ClientModel.Primitives;

namespace Muster.Llm;

/// <summary>
/// A pipeline step that only hands the message on, without an async state of its own: it stands in for the OpenAI
/// package's retry and message-logging steps, whose work the decorators around <see cref="OpenAiChatClient"/> do
/// (retries with Retry-After, timeouts, the call's events). Each of those kept two state machines per call for the
/// whole call, on every node with thousands of calls out, and took its CPU for nothing (bench/RESULTS.md).
/// </summary>
internal sealed class PassThroughPolicy : PipelinePolicy
{
    public static readonly PassThroughPolicy Instance = new();

    private PassThroughPolicy()
    {
    }

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        ProcessNext(message, pipeline, currentIndex);

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        ProcessNextAsync(message, pipeline, currentIndex);
}
