namespace Muster.Server.Tests.Costs;

/// <summary>The price the cost tests give the simulator's model: <c>openai/simulated</c> at $2 in and $10 out per million tokens.</summary>
internal static class SimulatedPrices
{
    /// <summary>The configuration that sets it; a new dictionary each time, since a server's settings may be added to.</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Muster:Llm:Prices:openai/simulated:Input"] = "2",
        ["Muster:Llm:Prices:openai/simulated:Output"] = "10",
    };
}
