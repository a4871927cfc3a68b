using System.ClientModel;
using System.ClientModel.Primitives;

namespace Muster.Llm;

/// <summary>
/// Copies a request body into an array of its exact size before it is sent, and gives the original back at once.
/// </summary>
/// <remarks>
/// The OpenAI package serializes a request into 16 KiB segments rented from the shared array pool and keeps them
/// until the response arrives. A node with a thousand LLM calls out holds a thousand of them, far more than the pool
/// keeps, so each call allocated a fresh 16 KiB array that lived as long as the call: the largest single thing on a
/// busy node's heap (a sixth of it), and what every garbage collection had to copy. A chat request is a few KiB.
/// </remarks>
internal sealed class ExactSizeRequestContentPolicy : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Compact(message);
        ProcessNext(message, pipeline, currentIndex);
    }

    // Not async: a state machine of its own would live as long as the call.
    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Compact(message);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    /// <summary>Replaces the body with an exact-size copy; a body of unknown length (a stream) is left as it is.</summary>
    internal static void Compact(PipelineMessage message)
    {
        if (message.Request.Content is not { } content
            || !content.TryComputeLength(out var length)
            || length is <= 0 or > int.MaxValue)
        {
            return;
        }

        var bytes = new byte[length];
        using (var stream = new MemoryStream(bytes, writable: true))
        {
            // The body is already serialized in memory: writing it out does no I/O.
            content.WriteTo(stream, message.CancellationToken);
        }

        // The copy carries no media type of its own: the request says it, as the original would have had the transport say.
        if (content.MediaType is { } mediaType && !message.Request.Headers.TryGetValue("Content-Type", out _))
        {
            message.Request.Headers.Set("Content-Type", mediaType);
        }

        message.Request.Content = BinaryContent.Create(BinaryData.FromBytes(bytes));
        content.Dispose();
    }
}
