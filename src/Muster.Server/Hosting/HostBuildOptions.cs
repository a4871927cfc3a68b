using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Muster.Server.Hosting;

// The host and Kestrel read their options when the application is built, before MusterOptions are bound and validated at
// start. So these read their one Muster key themselves: a value that does not read as a number counts as the default
// here, and the start then fails with the key named by MusterOptions' binding or validation.

/// <summary>
/// How long the host waits for its services to stop: room for the scheduler's grace period
/// (<c>Muster:Execution:ShutdownGraceSeconds</c>) plus the time to record what happened.
/// </summary>
internal sealed class ShutdownTimeoutSetup(IConfiguration configuration) : IConfigureOptions<HostOptions>
{
    public void Configure(HostOptions options)
    {
        var grace = configuration.NumberOr($"{MusterOptions.SectionName}:Execution:{nameof(ExecutionOptions.ShutdownGraceSeconds)}", new ExecutionOptions().ShutdownGraceSeconds);
        options.ShutdownTimeout = TimeSpan.FromSeconds(grace + 10);
    }
}

/// <summary>The largest request body Kestrel takes (<c>Muster:Limits:MaxRequestBodyBytes</c>).</summary>
internal sealed class RequestBodyLimitSetup(IConfiguration configuration) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options) =>
        options.Limits.MaxRequestBodySize = configuration.NumberOr($"{MusterOptions.SectionName}:Limits:{nameof(LimitsOptions.MaxRequestBodyBytes)}", new LimitsOptions().MaxRequestBodyBytes);
}

internal static class HostBuildSettings
{
    public static long NumberOr(this IConfiguration configuration, string key, long fallback) =>
        long.TryParse(configuration[key], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
