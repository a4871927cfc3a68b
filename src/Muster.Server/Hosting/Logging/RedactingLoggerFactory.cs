namespace Muster.Server.Hosting.Logging;

/// <summary>
/// Puts <see cref="RedactingLogger"/> in front of every logger, so that no entry reaches a provider with a secret in it:
/// ASP.NET Core's request lines (<c>Request starting GET http://…/status/…?token=…</c>), HttpClient's, the libraries' and
/// Muster's own. The inner factory keeps its providers, filters and scopes as configured.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}

/// <summary>
/// Passes an entry (or a scope) on as it is unless one of its values (or, for an entry without values, its message) holds
/// a secret; then it passes on a copy with those values and the message redacted. Entries below the enabled level cost
/// one check.
/// </summary>
internal sealed class RedactingLogger(ILogger inner) : ILogger
{
    // Scopes travel with entries too (HttpClient's carries the request's URI).
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => state switch
    {
        IReadOnlyList<KeyValuePair<string, object?>> values when AnySecret(values) =>
            inner.BeginScope(RedactedState.Of(values, state.ToString() ?? string.Empty)),
        string text when SecretRedactor.HasSecret(text) => inner.BeginScope(SecretRedactor.Redact(text)),
        _ => inner.BeginScope(state),
    };

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            // The message is the template filled with these values (the template being one of them), so clean values
            // make a clean message, and the message need not be formatted here.
            if (!AnySecret(values))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            inner.Log(logLevel, eventId, RedactedState.Of(values, formatter(state, exception)), exception, RedactedState.Format);
            return;
        }

        var message = formatter(state, exception);
        if (!SecretRedactor.HasSecret(message))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }

        inner.Log(logLevel, eventId, RedactedState.Of([], message), exception, RedactedState.Format);
    }

    private static bool AnySecret(IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (Text(values[i].Value) is { } text && SecretRedactor.HasSecret(text))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The text of a logged value that could carry a secret; numbers, times, ids and the like cannot.</summary>
    private static string? Text(object? value) => value switch
    {
        null => null,
        string text => text,
        IConvertible or Guid or TimeSpan or DateTimeOffset => null,
        _ => value.ToString(),
    };

    /// <summary>A log entry's values and message with the secrets blanked.</summary>
    private sealed class RedactedState(IReadOnlyList<KeyValuePair<string, object?>> values, string message) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public static readonly Func<RedactedState, Exception?, string> Format = static (state, _) => state.ToString();

        public static RedactedState Of(IReadOnlyList<KeyValuePair<string, object?>> values, string message) => new(
            [.. values.Select(pair => Text(pair.Value) is { } text && SecretRedactor.HasSecret(text)
                ? new KeyValuePair<string, object?>(pair.Key, SecretRedactor.Redact(text))
                : pair)],
            SecretRedactor.Redact(message));

        public int Count => values.Count;

        public KeyValuePair<string, object?> this[int index] => values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }
}
