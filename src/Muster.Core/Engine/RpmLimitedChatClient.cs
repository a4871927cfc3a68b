using Microsoft.Extensions.AI;

namespace Muster.Core.Engine;

/// <summary>
/// Keeps an agent under its <c>max_rpm</c>: at most that many calls start in any sixty seconds.
/// One per agent per run; it is never disposed because disposing would dispose the shared provider client.
/// </summary>
internal sealed class RpmLimitedChatClient(IChatClient inner, int maxRpm, TimeProvider timeProvider) : DelegatingChatClient(inner)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Queue<DateTimeOffset> _starts = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Waits, when needed, until fewer than <c>max_rpm</c> calls started in the last minute, then calls the inner client.</summary>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = timeProvider.GetUtcNow();
            while (_starts.Count > 0 && now - _starts.Peek() >= Window)
            {
                _starts.Dequeue();
            }

            if (_starts.Count >= maxRpm)
            {
                await Task.Delay(_starts.Dequeue() + Window - now, timeProvider, cancellationToken);
            }

            _starts.Enqueue(timeProvider.GetUtcNow());
        }
        finally
        {
            _gate.Release();
        }

        return await base.GetResponseAsync(messages, options, cancellationToken);
    }
}
