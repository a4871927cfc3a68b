using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.AI;

namespace Muster.Core.Tools;

/// <summary>Limits of the built-in tools; the host sets them with <c>services.Configure&lt;BuiltInToolOptions&gt;(...)</c>.</summary>
public sealed class BuiltInToolOptions
{
    /// <summary>How long <c>http_fetch</c> waits for a whole answer.</summary>
    public TimeSpan HttpFetchTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The most bytes <c>http_fetch</c> reads; the rest is cut off.</summary>
    public int HttpFetchMaxBytes { get; set; } = 512 * 1024;

    /// <summary>Lets <c>http_fetch</c> reach the addresses the SSRF guard refuses (loopback, private, link-local and the rest; tests only).</summary>
    public bool HttpFetchAllowPrivateNetworks { get; set; }
}

/// <summary>The tools every Muster server offers: <c>calculator</c>, <c>http_fetch</c> and <c>current_time</c>.</summary>
public static class BuiltInTools
{
    /// <summary><c>calculator</c>: arithmetic only (<c>+ - * / % ^</c>, parentheses, sqrt, abs, floor, ceil, round, ln, log10, min, max); no code runs.</summary>
    public const string Calculator = "calculator";
    /// <summary><c>http_fetch</c>: GETs a public http(s) URL and returns its text, within <see cref="BuiltInToolOptions"/>' time and size limits.</summary>
    public const string HttpFetch = "http_fetch";
    /// <summary><c>current_time</c>: the current date and time in UTC, ISO 8601.</summary>
    public const string CurrentTime = "current_time";

    /// <summary>The three built-in tools.</summary>
    /// <param name="options"><c>http_fetch</c>'s limits.</param>
    /// <param name="timeProvider"><c>current_time</c>'s clock.</param>
    public static IReadOnlyList<AIFunction> Create(BuiltInToolOptions options, TimeProvider timeProvider)
    {
        var fetcher = new HttpFetcher(options);
        return
        [
            AIFunctionFactory.Create(
                ([Description("An arithmetic expression, e.g. (2 + 3) * 4 ^ 2 / sqrt(16)")] string expression) =>
                    ArithmeticEvaluator.Evaluate(expression).ToString("R", CultureInfo.InvariantCulture),
                Calculator,
                "Evaluates an arithmetic expression: numbers, + - * / % ^, parentheses and sqrt, abs, floor, ceil, round, ln, log10, min, max."),
            AIFunctionFactory.Create(
                ([Description("The http or https URL to GET")] string url, CancellationToken cancellationToken) =>
                    fetcher.FetchAsync(url, cancellationToken),
                HttpFetch,
                "Fetches a public web page or API with HTTP GET and returns its text (size and time limited)."),
            AIFunctionFactory.Create(
                () => timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
                CurrentTime,
                "Returns the current date and time in UTC (ISO 8601)."),
        ];
    }
}
