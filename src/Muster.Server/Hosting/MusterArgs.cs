namespace Muster.Server.Hosting;

/// <summary>Command-line flags that are not <c>--key value</c> pairs, rewritten into configuration keys.</summary>
public static class MusterArgs
{
    public const string SimulatedLlmFlag = "--simulated-llm";

    /// <summary>
    /// <c>--simulated-llm</c> becomes <c>--Muster:SimulatedLlm=true</c>: left alone, the configuration reader would take
    /// the next argument as its value.
    /// </summary>
    public static string[] Normalize(string[] args) =>
        [.. args.Select(arg => string.Equals(arg, SimulatedLlmFlag, StringComparison.OrdinalIgnoreCase) ? "--Muster:SimulatedLlm=true" : arg)];
}
