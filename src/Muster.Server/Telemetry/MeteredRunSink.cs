using Muster.Core.Engine;

namespace Muster.Server.Telemetry;

/// <summary>The sink the engine writes a run's events to, counting what each says (<see cref="MusterMetrics.Observe"/>) on its way.</summary>
internal sealed class MeteredRunSink(IRunSink inner, MusterMetrics metrics, string crew) : IRunSink
{
    public ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        metrics.Observe(crew, runEvent.Data);
        return inner.PublishAsync(runEvent, cancellationToken);
    }
}
