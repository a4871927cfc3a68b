using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Muster.Server.Hosting.Logging;
using Muster.Testing;

namespace Muster.Server.Tests.Logging;

/// <summary>Secrets never reach a log provider: not from ASP.NET Core's request lines, nor from any other entry.</summary>
public sealed class LogRedactionTests
{
    [Fact]
    public async Task TokenSentInTheQueryString_IsRefused_AndNeverLogged()
    {
        var sink = new LogSink();
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            // ASP.NET Core's own request lines (off by default) are where a query-string token would show.
            Settings = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information" },
            Services = services =>
            {
                services.AddSingleton<ILoggerProvider>(sink);
                services.Configure<LoggerFilterOptions>(filters => filters.MinLevel = LogLevel.Trace);
            },
        });
        using var anonymous = server.CreateClient();

        using var token = await anonymous.GetAsync($"/inputs?token={server.BootstrapToken}");
        using var accessToken = await anonymous.GetAsync($"/inputs?limit=5&access_token={server.BootstrapToken}");
        using var ok = server.CreateClient(server.BootstrapToken);
        (await ok.GetAsync("/inputs?topic=plain")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually.Until(() => Task.FromResult(sink.Entries.Count(e => e.Contains("/inputs?", StringComparison.Ordinal))), n => n >= 6,
            "the request lines were never logged");

        token.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        accessToken.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        sink.Entries.ShouldNotContain(e => e.Contains(server.BootstrapToken, StringComparison.Ordinal));
        sink.Entries.ShouldContain(e => e.Contains("/inputs?token=[REDACTED]", StringComparison.Ordinal));
        sink.Entries.ShouldContain(e => e.Contains("/inputs?limit=5&access_token=[REDACTED]", StringComparison.Ordinal));
        sink.Entries.ShouldContain(e => e.Contains("/inputs?topic=plain", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GET /status/1?token=mst_abc&limit=5", "GET /status/1?token=[REDACTED]&limit=5")]
    [InlineData("?access_token=s3cr3t", "?access_token=[REDACTED]")]
    [InlineData("https://llm.example/v1?api-key=k-123;x=1", "https://llm.example/v1?api-key=[REDACTED];x=1")]
    [InlineData("https://blob.example/f?sv=2024&sig=abc%2Bdef", "https://blob.example/f?sv=2024&sig=[REDACTED]")]
    [InlineData("Authorization: Bearer abc.def.ghi", "Authorization: [REDACTED]")]
    [InlineData("Request Headers:\nX-Api-Key: k-123\nAccept: */*", "Request Headers:\nX-Api-Key: [REDACTED]\nAccept: */*")]
    [InlineData("sent with bearer eyJhbGciOiJIUzI1NiJ9 to the hook", "sent with bearer [REDACTED] to the hook")]
    [InlineData("the token mst_AbC-123_x was revoked", "the token mst_[REDACTED] was revoked")]
    public void Redact_BlanksTheSecretAndKeepsTheRest(string text, string expected)
    {
        SecretRedactor.HasSecret(text).ShouldBeTrue();
        SecretRedactor.Redact(text).ShouldBe(expected);
    }

    [Theory]
    [InlineData("GET /api/crew-runs?status=running&limit=5&cursor=abc")]
    [InlineData("Run 3f2a of crew research completed")]
    [InlineData("Task 'write' failed: the model answered 429 (rate limit) for key usage")]
    public void Redact_LeavesTextWithoutSecretsAlone(string text) => SecretRedactor.HasSecret(text).ShouldBeFalse();

    [Fact]
    public void Logger_PassesACleanEntryOnAsItIs_AndRedactsAValueAndTheMessageOfAnotherOne()
    {
        var sink = new LogSink();
        using var factory = new RedactingLoggerFactory(LoggerFactory.Create(logging => logging.AddProvider(sink).SetMinimumLevel(LogLevel.Trace)));
        var logger = factory.CreateLogger("test");

        logger.LogInformation("Fetched {Url} in {Ms} ms", "https://example.org/a?b=1", 12);
        logger.LogInformation("Fetched {Url} in {Ms} ms", "https://example.org/a?token=hunter22", 12);
        logger.Log(LogLevel.Warning, default, "Refused the key mst_plain_text_secret", null, (text, _) => text);

        sink.Entries.ShouldBe([
            "Fetched https://example.org/a?b=1 in 12 ms | Url=https://example.org/a?b=1",
            "Fetched https://example.org/a?token=[REDACTED] in 12 ms | Url=https://example.org/a?token=[REDACTED]",
            "Refused the key mst_[REDACTED] | ",
        ]);
    }

    [Fact]
    public void Logger_RedactsScopes_AsAProviderSeesThem()
    {
        var sink = new LogSink();
        using var factory = new RedactingLoggerFactory(LoggerFactory.Create(logging => logging.AddProvider(sink)));
        var logger = factory.CreateLogger("test");

        using (logger.BeginScope("HTTP {Method} {Uri}", "GET", "https://hooks.example/in?token=hunter22"))
        using (logger.BeginScope("plain text scope with mst_secret_value"))
        {
            logger.LogInformation("Inside");
        }

        sink.Scopes.ShouldBe(["HTTP GET https://hooks.example/in?token=[REDACTED]", "plain text scope with mst_[REDACTED]"]);
    }

    /// <summary>Keeps every entry as its message and its string values, as a structured provider would see them.</summary>
    private sealed class LogSink : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _entries = new();
        private readonly ConcurrentQueue<string> _scopes = new();

        public IReadOnlyCollection<string> Entries => _entries;

        public IReadOnlyCollection<string> Scopes => _scopes;

        public ILogger CreateLogger(string categoryName) => new Logger(_entries, _scopes);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> entries, ConcurrentQueue<string> scopes) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                scopes.Enqueue(state.ToString() ?? string.Empty);
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IReadOnlyList<KeyValuePair<string, object?>> pairs
                    ? string.Join(", ", pairs.Where(p => p.Key != "{OriginalFormat}" && p.Value is string).Select(p => $"{p.Key}={p.Value}"))
                    : string.Empty;
                entries.Enqueue($"{formatter(state, exception)} | {values}");
            }
        }
    }
}
