using Microsoft.Extensions.Options;

namespace Muster.Server.Telemetry;

/// <summary>
/// <c>Muster:Telemetry</c>: what the standard OpenTelemetry variables (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, …) do not
/// cover. Nothing is exported unless an OTLP endpoint is set or <see cref="PrometheusOptions.Enabled"/> is.
/// </summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Muster:Telemetry";

    /// <summary>Whether spans carry prompts, answers and tool arguments and results. Off by default: they are sensitive.</summary>
    public bool CaptureContent { get; set; }

    public PrometheusOptions Prometheus { get; set; } = new();
}

/// <summary><c>Muster:Telemetry:Prometheus</c>: metrics as Prometheus text at <c>/metrics</c>.</summary>
internal sealed class PrometheusOptions
{
    /// <summary>Serves <c>/metrics</c>, to callers with an organization token unless <see cref="Open"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>Serves <c>/metrics</c> without a token (a scraper on a private network).</summary>
    public bool Open { get; set; }
}

/// <summary>An open <c>/metrics</c> that is not served is a setting that does nothing: the start fails and says so.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options) =>
        options.Prometheus is { Open: true, Enabled: false }
            ? ValidateOptionsResult.Fail(
                "Muster:Telemetry:Prometheus:Open=true serves nothing without Muster:Telemetry:Prometheus:Enabled=true: set both, or neither.")
            : ValidateOptionsResult.Success;
}
