namespace Muster.Server.Telemetry;

/// <summary>
/// Where telemetry goes, from the settings that say so: an OTLP endpoint (OpenTelemetry's variables, read from the
/// configuration, which includes the environment) and <c>Muster:Telemetry:Prometheus:Enabled</c>. Only whether they are
/// set is read here: their values are the exporters' to check.
/// </summary>
internal readonly record struct TelemetryExport(bool Traces, bool OtlpMetrics, bool Prometheus)
{
    public bool Metrics => OtlpMetrics || Prometheus;

    public static TelemetryExport From(IConfiguration configuration)
    {
        var endpoint = IsSet(configuration, "OTEL_EXPORTER_OTLP_ENDPOINT");
        return new TelemetryExport(
            Traces: (endpoint || IsSet(configuration, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) && !IsNone(configuration, "OTEL_TRACES_EXPORTER"),
            OtlpMetrics: (endpoint || IsSet(configuration, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")) && !IsNone(configuration, "OTEL_METRICS_EXPORTER"),
            Prometheus: bool.TryParse(configuration[$"{TelemetryOptions.SectionName}:Prometheus:Enabled"], out var enabled) && enabled);
    }

    private static bool IsSet(IConfiguration configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);

    private static bool IsNone(IConfiguration configuration, string key) =>
        string.Equals(configuration[key], "none", StringComparison.OrdinalIgnoreCase);
}
