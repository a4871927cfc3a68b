using System.Collections;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Muster.Testing;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Muster.Server.Tests.Telemetry;

/// <summary>
/// Muster servers on one folder (crews and database outlive each server, so a test can restart), each exporting its spans
/// and metrics to in-memory lists the test reads. Spans of every server in this test process reach the list (activity
/// sources are global): a test reads the spans of its own trace only.
/// </summary>
internal sealed class TracedServer : IDisposable
{
    private readonly TempFolder _folder = new();

    public TracedServer(Action<string> writeCrews)
    {
        Directory.CreateDirectory(_folder.Combine("crews"));
        writeCrews(_folder.Combine("crews"));
    }

    public LockedList<Activity> Spans { get; } = new();

    public LockedList<MetricSnapshot> Metrics { get; } = new();

    public Task<MusterServerFixture> StartAsync(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Muster:CrewsPath"] = _folder.Combine("crews"),
            ["Muster:Storage:ConnectionString"] = $"Data Source={_folder.Combine("traced.db")}",
            ["Muster:Webhooks:AllowPrivateNetworks"] = "true",
            ["Muster:Webhooks:PollInterval"] = "00:00:00.050",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return MusterServerFixture.StartAsync(new MusterServerSetup
        {
            WriteCrews = _ => { },
            Settings = settings,
            Services = services => services.AddOpenTelemetry()
                .WithTracing(tracing => tracing.AddInMemoryExporter(Spans))
                .WithMetrics(metrics => metrics.AddInMemoryExporter(Metrics)),
        });
    }

    /// <summary>The spans of the trace <paramref name="traceId"/> exported so far.</summary>
    public IReadOnlyList<Activity> SpansOf(ActivityTraceId traceId) => [.. Spans.Snapshot().Where(span => span.TraceId == traceId)];

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// A client of <paramref name="muster"/> that sends <paramref name="traceParent"/> with every request as it is: the test
    /// process traces HTTP too, and its handler would otherwise send its own span's context.
    /// </summary>
    public static HttpClient CallerClient(MusterServerFixture muster, string traceParent)
    {
        var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = muster.BaseAddress, Timeout = Eventually.DefaultLimit };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", muster.BootstrapToken);
        client.DefaultRequestHeaders.Add("traceparent", traceParent);
        return client;
    }

    /// <summary>A caller's span context, as W3C <c>traceparent</c>: what a traced client sends with its request.</summary>
    public static (ActivityTraceId TraceId, ActivitySpanId SpanId, string Header) CallerContext()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var spanId = ActivitySpanId.CreateRandom();
        return (traceId, spanId, $"00-{traceId.ToHexString()}-{spanId.ToHexString()}-01");
    }
}

/// <summary>A list the exporters add to while a test reads it.</summary>
internal sealed class LockedList<T> : ICollection<T>
{
    private readonly Lock _lock = new();
    private readonly List<T> _items = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public IReadOnlyList<T> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        lock (_lock)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item) => Snapshot().Contains(item);

    public void CopyTo(T[] array, int arrayIndex) => Snapshot().ToList().CopyTo(array, arrayIndex);

    public bool Remove(T item)
    {
        lock (_lock)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
