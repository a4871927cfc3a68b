namespace Muster.Cli;

/// <summary>
/// The <c>muster</c> entry point. Namespaced on purpose: the server's own top-level <c>global::Program</c>, which
/// <c>muster serve</c> reuses to build the host, keeps its name.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => MusterCommandLine.InvokeAsync(args);
}
