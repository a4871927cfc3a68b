using Muster.Simulator;

namespace Muster.Testing;

/// <summary>
/// Holds back the simulator's answers to requests that mention a text until <see cref="Release"/> (or disposal), so that
/// a test acts on a run that is surely still in flight, however slowly a loaded machine polls. A latency only makes that
/// likely; a hold makes it certain.
/// </summary>
public sealed class AnswerHold : IDisposable
{
    private readonly LlmSimulator _simulator;
    private readonly Func<SimulatedRequest, SimulatedReply?>? _previous;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _text;

    private AnswerHold(LlmSimulator simulator, string text)
    {
        _simulator = simulator;
        _text = text;
        _previous = simulator.Responder;
        simulator.Responder = request => !_released.Task.IsCompleted && request.Mentions(text)
            ? SimulatedReply.WhenSignalled(_released.Task, SimulatedReply.Text($"Simulated answer about {text}, held until released."))
            : _previous?.Invoke(request);
    }

    /// <summary>Holds every answer to a request whose messages contain <paramref name="text"/>.</summary>
    public static AnswerHold About(LlmSimulator simulator, string text)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentException.ThrowIfNullOrEmpty(text);
        return new AnswerHold(simulator, text);
    }

    /// <summary>How many requests that mention the text the simulator has received so far.</summary>
    public int Calls => _simulator.Requests.Count(request => request.Mentions(_text));

    /// <summary>Waits until the simulator has been asked about the text at least once (so the run reached that point).</summary>
    public Task WaitForCallAsync(TimeSpan? timeout = null) =>
        Eventually.Until(() => Calls > 0, $"the simulator was never asked about \"{_text}\"", timeout);

    /// <summary>Lets the held answers (and every later one) through and restores the simulator's previous responder.</summary>
    public void Release()
    {
        if (_released.TrySetResult())
        {
            _simulator.Responder = _previous;
        }
    }

    public void Dispose() => Release();
}
