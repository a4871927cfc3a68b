using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Muster.Client;
using Spectre.Console;

namespace Muster.Cli.Infrastructure;

/// <summary>
/// What a command needs from its surroundings: the parsed global options, stdout as a Spectre console (plain, without
/// colour or cursor moves, when stdout is not a terminal), stderr, and clients for the server.
/// </summary>
internal sealed class CliContext : IDisposable
{
    // Wide enough that tables and lines written to a file or a pipe are not wrapped at the default 80 columns.
    private const int RedirectedWidth = 240;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private readonly Lazy<HttpClient> _http = new(() => new HttpClient { Timeout = RequestTimeout });

    public CliContext(ParseResult parse, GlobalOptions globals)
    {
        Json = parse.GetValue(globals.Json);
        Token = globals.TokenFrom(parse);
        var url = parse.GetValue(globals.Url) ?? GlobalOptions.DefaultUrl;
        BaseUrl = Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
            ? parsed
            : throw new UsageException($"--url '{url}' is not an http(s) URL such as {GlobalOptions.DefaultUrl}");

        IsTerminal = !Console.IsOutputRedirected;
        CanPrompt = IsTerminal && !Console.IsInputRedirected;
        Out = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = CanPrompt ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        if (!IsTerminal)
        {
            Out.Profile.Width = RedirectedWidth;
        }
    }

    /// <summary>stdout. Commands write server text with <see cref="IAnsiConsole.WriteLine(string)"/>-style calls, never as markup.</summary>
    public IAnsiConsole Out { get; }

    public TextWriter Error => Console.Error;

    /// <summary>--json: stdout carries JSON only; anything for people goes to stderr.</summary>
    public bool Json { get; }

    public bool IsTerminal { get; }

    /// <summary>A person can answer a question: stdin and stdout are both terminals.</summary>
    public bool CanPrompt { get; }

    public Uri BaseUrl { get; }

    public string? Token { get; }

    /// <summary>A client for the server; with <paramref name="crew"/> its AMP calls go to <c>/crews/{crew}/…</c>.</summary>
    public MusterClient Client(string? crew = null) =>
        new(_http.Value, new MusterClientOptions { BaseUrl = BaseUrl, Token = Token, Crew = string.IsNullOrEmpty(crew) ? null : crew });

    /// <summary>Shows a command's answer: as JSON under --json, otherwise through <paramref name="text"/>, for people. Exit code 0.</summary>
    public int Show<T>(T value, JsonTypeInfo<T> typeInfo, Action<T> text)
    {
        if (Json)
        {
            WriteJson(value, typeInfo);
        }
        else
        {
            text(value);
        }

        return ExitCodes.Ok;
    }

    /// <summary>Writes <paramref name="value"/> as indented JSON on stdout, with the wire names of the API.</summary>
    public void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo) => WriteJson(value, typeInfo, indented: true);

    /// <summary>Writes <paramref name="value"/> as one line of JSON (for streams: one object per line).</summary>
    public void WriteJsonLine<T>(T value, JsonTypeInfo<T> typeInfo) => WriteJson(value, typeInfo, indented: false);

    /// <summary>A plain line on stdout, never parsed as markup.</summary>
    public void Line(string text = "") => Out.WriteLine(text);

    /// <summary>A line for people: on stdout normally, on stderr under --json so stdout stays parseable.</summary>
    public void Note(string text)
    {
        if (Json)
        {
            Error.WriteLine(text);
        }
        else
        {
            Out.WriteLine(text);
        }
    }

    public void Dispose()
    {
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
    }

    private static void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo, bool indented)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = indented }))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }

        stdout.Write("\n"u8);
        stdout.Flush();
    }
}
