using System.Diagnostics.Metrics;
using Muster.Core.Llm;

namespace Muster.Core.Costs;

/// <summary>
/// <c>muster.llm.cost</c>: US dollars spent on LLM calls, per provider and model, on the meter named <c>Muster</c> (the one
/// the server's telemetry exports). A call whose model has no price adds nothing: its cost is unknown, not 0.
/// </summary>
internal static class CostMetrics
{
    private static readonly Meter Meter = new("Muster");
    private static readonly Counter<double> Cost = Meter.CreateCounter<double>("muster.llm.cost", unit: "USD", description: "US dollars spent on LLM calls, at the configured prices.");

    public static void Record(string model, decimal? costUsd)
    {
        if (costUsd is not { } cost || !Cost.Enabled)
        {
            return;
        }

        var reference = ModelReference.Parse(model);
        Cost.Add((double)cost, new KeyValuePair<string, object?>("gen_ai.provider.name", reference.Provider), new KeyValuePair<string, object?>("gen_ai.request.model", reference.Model));
    }
}
