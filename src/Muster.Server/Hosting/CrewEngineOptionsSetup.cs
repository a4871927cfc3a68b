using Microsoft.Extensions.Options;
using Muster.Core.Engine;
using Muster.Server.CrewRuns;
using Muster.Server.Telemetry;
using Muster.Storage;

namespace Muster.Server.Hosting;

/// <summary>
/// The engine's options, set up here only: <c>Muster:Engine</c>, the most a run may record from
/// <c>Muster:Limits:MaxRunBytes</c>, and the folder of the runs' output files from <c>Muster:Outputs</c> (by default beside
/// the SQLite database), and whether spans carry content from <c>Muster:Telemetry:CaptureContent</c>.
/// </summary>
internal sealed class CrewEngineOptionsSetup(
    IConfiguration configuration,
    IOptions<MusterOptions> muster,
    IOptions<OutputsOptions> outputs,
    IOptions<StorageOptions> storage,
    IOptions<TelemetryOptions> telemetry) : IConfigureOptions<CrewEngineOptions>
{
    public void Configure(CrewEngineOptions options)
    {
        configuration.GetSection(CrewEngineOptions.Section).Bind(options);
        options.MaxRunBytes = muster.Value.Limits.MaxRunBytes;
        options.OutputRoot = outputs.Value.Resolve(storage.Value);
        options.CaptureContent = telemetry.Value.CaptureContent;
    }
}
