using System.CommandLine;

namespace Muster.Cli.Infrastructure;

/// <summary>Options every command accepts: where the server is, the token, and machine-readable output.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";
    public const string UrlVariable = "MUSTER_URL";
    public const string TokenVariable = "MUSTER_TOKEN";

    public Option<string> Url { get; } = new("--url")
    {
        Description = $"The Muster server (env {UrlVariable})",
        HelpName = "URL",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url ? url : DefaultUrl,
    };

    // No DefaultValueFactory: help prints an option's default, and a token must never be printed.
    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"Bearer token (env {TokenVariable})",
        HelpName = "TOKEN",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Machine-readable JSON on stdout instead of text",
        Recursive = true,
    };

    /// <summary>--token, else MUSTER_TOKEN; null when neither is given.</summary>
    public string? TokenFrom(ParseResult parse) =>
        parse.GetValue(Token) is { Length: > 0 } token ? token
        : Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } variable ? variable
        : null;

    public void AddTo(RootCommand root)
    {
        root.Add(Url);
        root.Add(Token);
        root.Add(Json);
    }
}
