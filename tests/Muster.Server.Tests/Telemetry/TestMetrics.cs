using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Muster.Server.Runs;
using Muster.Server.Telemetry;

namespace Muster.Server.Tests;

/// <summary>Muster's metrics for services a test builds by hand, on a meter factory of their own.</summary>
internal static class TestMetrics
{
    public static MusterMetrics Create() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>(), new ExecutingRuns());
}
