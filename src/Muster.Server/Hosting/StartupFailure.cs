using System.Net.Sockets;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Muster.Server.Hosting;

/// <summary>Turns whatever stopped the server from starting into one line that says what to change.</summary>
internal static partial class StartupFailure
{
    private const string UrlsHint = "choose a free address with --urls (for example --urls http://127.0.0.1:8081)";
    private const string UrlsFormat = "give --urls an address such as http://127.0.0.1:8080";

    public static string Describe(Exception exception)
    {
        var ex = Unwrap(exception);
        var text = ex switch
        {
            OptionsValidationException invalid => "invalid configuration: " + string.Join("; ", invalid.Failures.Select(f => NameTheKey(invalid.OptionsType, f))),
            IOException when Find<AddressInUseException>(ex) is not null => $"{ex.Message.TrimEnd('.')}: another process listens there; {UrlsHint}",
            IOException when Find<SocketException>(ex) is { } socket => $"{ex.Message.TrimEnd('.')} ({socket.Message}); {UrlsHint}",
            // Kestrel's answer to an address it cannot parse (--urls, or ASPNETCORE_URLS).
            FormatException when ex.Message.Contains("url", StringComparison.OrdinalIgnoreCase) => $"{ex.Message}; {UrlsFormat}",
            // Muster's own start-up errors (the store, the server lock, the providers) already name their fix.
            InvalidOperationException or ArgumentException => ex.Message,
            _ => $"the server could not start: {ex.GetType().Name}: {ex.Message}",
        };
        return OneLine(text);
    }

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } or TargetInvocationException && ex.InnerException is not null)
        {
            ex = ex.InnerException!;
        }

        return ex;
    }

    private static T? Find<T>(Exception? ex) where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// A data-annotation failure names the options class, the path to the validated object and the member
    /// ('MusterOptions.Execution', 'MaxConcurrentRuns'); an operator sets a configuration key
    /// (Muster:Execution:MaxConcurrentRuns), found from the class's section constant.
    /// </summary>
    private static string NameTheKey(Type optionsType, string failure)
    {
        if (DataAnnotationFailure().Match(failure) is not { Success: true } match)
        {
            return failure;
        }

        var error = match.Groups["error"].Value;
        var section = SectionOf(optionsType);
        if (section is null)
        {
            return error;
        }

        // The path starts with the class's own name; the rest are the nested options (ValidateObjectMembers) down to the member.
        var path = match.Groups["path"].Value.Split('.').Skip(1);
        var keys = match.Groups["members"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(member => string.Join(':', [section, .. path, member]))
            .Where(key => !error.Contains(key, StringComparison.OrdinalIgnoreCase))
            .ToList();
        return keys.Count == 0 ? error : $"{string.Join(", ", keys)}: {error}";
    }

    private static string? SectionOf(Type optionsType) =>
        (optionsType.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)
            ?? optionsType.GetField("Section", BindingFlags.Public | BindingFlags.Static))?.GetRawConstantValue() as string;

    private static string OneLine(string text) => WhiteSpaceRun().Replace(text, " ").Trim();

    [GeneratedRegex(@"^DataAnnotation validation failed for '(?<path>[^']*)' members: '(?<members>[^']*)' with the error: '(?<error>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex WhiteSpaceRun();
}
