using System.Diagnostics.Metrics;

namespace Muster.Server.Tests.Telemetry;

/// <summary>
/// What one server's own instruments (those its <see cref="IMeterFactory"/> made) measured, read through a
/// <see cref="MeterListener"/>. OpenTelemetry's providers hear meters by name across the whole test process, so the
/// in-memory exporter of one test's server also aggregates the servers of tests running beside it, which start and stop
/// at any moment; this listener counts the work of its own server only.
/// </summary>
internal sealed class ScopedMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly List<Measured> _measured = [];

    public ScopedMeasurements(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements that carry every one of <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string? Value)[] tags) => Of(instrument, tags).Sum(m => m.Value);

    /// <summary>How many measurements of <paramref name="instrument"/> carry every one of <paramref name="tags"/>.</summary>
    public int Count(string instrument, params (string Key, string? Value)[] tags) => Of(instrument, tags).Count;

    /// <summary>Every measurement of <paramref name="instrument"/>, with its unit and tags.</summary>
    public IReadOnlyList<Measured> All(string instrument) => Of(instrument, []);

    public void Dispose() => _listener.Dispose();

    private List<Measured> Of(string instrument, (string Key, string? Value)[] tags)
    {
        lock (_lock)
        {
            return [.. _measured.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && (string?)v == t.Value))];
        }
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copied[tag.Key] = tag.Value;
        }

        lock (_lock)
        {
            _measured.Add(new Measured(instrument.Name, instrument.Unit, value, copied));
        }
    }

    public sealed record Measured(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags);
}
