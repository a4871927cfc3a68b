namespace Muster.Server.Runs;

/// <summary>How long work waits before it tries a failed store again: quickly at first, then every two seconds.</summary>
internal static class StoreRetry
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    /// <summary>The longest wait between two attempts: a store that is back is used again within this.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(2);

    /// <summary>The wait after the <paramref name="attempt"/>th failed attempt (1-based).</summary>
    public static TimeSpan Delay(int attempt) =>
        TimeSpan.FromTicks(Math.Min(Longest.Ticks, First.Ticks << Math.Min(attempt - 1, 10)));
}
