using System.Globalization;
using Microsoft.Extensions.Options;

namespace Muster.Server.Hosting;

/// <summary>
/// How long the host waits for its services to stop: room for the scheduler's grace period
/// (<c>Muster:Execution:ShutdownGraceSeconds</c>) plus the time to record what happened.
/// </summary>
/// <remarks>
/// The host reads its options when it is built, before <see cref="MusterOptions"/> are validated at start: a grace period
/// that does not read as a number counts as the default here, and fails the start with its key named there.
/// </remarks>
internal sealed class ShutdownTimeoutSetup(IConfiguration configuration) : IConfigureOptions<HostOptions>
{
    public void Configure(HostOptions options)
    {
        var grace = int.TryParse(configuration[$"{MusterOptions.SectionName}:Execution:{nameof(ExecutionOptions.ShutdownGraceSeconds)}"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : new ExecutionOptions().ShutdownGraceSeconds;
        options.ShutdownTimeout = TimeSpan.FromSeconds(grace + 10);
    }
}
