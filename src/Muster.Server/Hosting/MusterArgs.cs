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

    private const string ReloadConfigOnChange = "hostBuilder:reloadConfigOnChange";

    /// <summary>
    /// Adds <c>--hostBuilder:reloadConfigOnChange=false</c> unless the arguments or the environment (DOTNET_ or ASPNETCORE_)
    /// set it. To reload appsettings.json on change, ASP.NET Core watches the whole content root, subfolders included, and
    /// the SQLite database lives there by default: every commit woke the watcher, which then matched the change against
    /// its watched files (a twenty-fifth of a busy node's allocations). Muster reads its configuration at start-up.
    /// </summary>
    public static string[] WithHostDefaults(string[] args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var set = args.Any(arg => arg.Contains(ReloadConfigOnChange, StringComparison.OrdinalIgnoreCase))
            || environment("DOTNET_hostBuilder__reloadConfigOnChange") is not null
            || environment("ASPNETCORE_hostBuilder__reloadConfigOnChange") is not null;
        return set ? args : [$"--{ReloadConfigOnChange}=false", .. args];
    }
}
