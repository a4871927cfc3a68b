using System.Reflection;

namespace Muster.Server.Amp;

/// <summary>
/// The <c>Idempotency-Key</c> header of a kickoff (<c>POST /kickoff</c>, <c>POST /api/crews/run</c> and <c>/run/custom</c>):
/// absent or empty is no key. A key longer than <see cref="MaxLength"/> is refused by each route in its own error body and
/// at its own point among its checks, so binding never refuses it.
/// </summary>
internal sealed class IdempotencyKey : IBindableFromHttpContext<IdempotencyKey>
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 255;

    private IdempotencyKey(string? value) => Value = value;

    /// <summary>The key as sent; null when none was.</summary>
    public string? Value { get; }

    public bool TooLong => Value?.Length > MaxLength;

    public static ValueTask<IdempotencyKey?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        var value = context.Request.Headers[Header].ToString();
        return ValueTask.FromResult<IdempotencyKey?>(new IdempotencyKey(value.Length == 0 ? null : value));
    }
}
