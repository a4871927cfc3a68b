namespace Muster.Cli.Tests;

/// <summary>A test that needs a pseudo-terminal, made with util-linux <c>script</c>; skipped, saying why, where it is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TerminalFactAttribute : FactAttribute
{
    public const string Script = "/usr/bin/script";

    public TerminalFactAttribute()
    {
        if (!File.Exists(Script))
        {
            Skip = $"{Script} (util-linux) is not installed: there is no pseudo-terminal to run muster on.";
        }
    }
}
