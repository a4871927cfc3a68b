namespace Muster.Server.Execution;

/// <summary>How long work waits before it tries a failed store again: quickly at first, then every two seconds.</summary>
internal static class StoreRetry
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Most = TimeSpan.FromSeconds(2);

    /// <summary>The wait after the <paramref name="attempt"/>th failed attempt (1-based).</summary>
    public static TimeSpan Delay(int attempt) =>
        TimeSpan.FromTicks(Math.Min(Most.Ticks, First.Ticks << Math.Min(attempt - 1, 10)));
}
