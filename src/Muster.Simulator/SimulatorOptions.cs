namespace Muster.Simulator;

/// <summary>How the LLM simulator listens and behaves when it starts.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Loopback address to bind; the simulator is meant for local tests and demos only.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks any free port (read it back from <see cref="LlmSimulator.BaseUrl"/>).</summary>
    public int Port { get; set; }

    /// <summary>Delay applied before every answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// Whether chat requests are kept for <see cref="LlmSimulator.Requests"/>. Benchmarks that drive millions of
    /// requests turn this off so memory stays flat.
    /// </summary>
    public bool RecordRequests { get; set; } = true;

    /// <summary>Model ids listed by <c>GET /v1/models</c>.</summary>
    public IReadOnlyList<string> Models { get; set; } = ["muster-simulator"];

    /// <summary>Clock for the <c>created</c> timestamps of answers.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
