namespace Muster.Testing;

/// <summary>
/// The one way tests wait for something that happens in the background: poll a probe until a condition holds, and fail
/// with what was last seen. The limit is a generous ceiling for a busy 2-core CI machine, never a timing assertion:
/// a test waits on the condition, and the limit only decides how long a broken build takes to say so.
/// </summary>
public static class Eventually
{
    /// <summary>How long a test waits by default before it reports the condition as never met.</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(90);

    /// <summary>
    /// The ceiling for waiting on another process: a server or CLI to start, print, finish a run or exit. On a busy
    /// 2-core machine (load average 50 measured while tests ran beside builds) a .NET process took over 60 s to start.
    /// </summary>
    public static readonly TimeSpan ProcessLimit = TimeSpan.FromMinutes(4);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds for its value, and returns that value.</summary>
    /// <param name="because">What the test waits for, said in the failure message ("the run never completed").</param>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, string because, TimeSpan? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var deadline = TimeProvider.System.GetTimestamp() + (long)((limit ?? DefaultLimit).TotalSeconds * TimeProvider.System.TimestampFrequency);
        var pause = TimeSpan.FromMilliseconds(20);
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Waited {(limit ?? DefaultLimit).TotalSeconds:0} s, but {because}. Last seen: {Describe(last)}");
            }

            await Task.Delay(pause, cancellationToken);
            pause = TimeSpan.FromMilliseconds(Math.Min(250, pause.TotalMilliseconds * 2));
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it is true.</summary>
    public static Task Until(Func<Task<bool>> condition, string because, TimeSpan? limit = null, CancellationToken cancellationToken = default) =>
        Until(condition, static met => met, because, limit, cancellationToken);

    /// <summary>Polls a synchronous <paramref name="condition"/> until it is true.</summary>
    public static Task Until(Func<bool> condition, string because, TimeSpan? limit = null, CancellationToken cancellationToken = default) =>
        Until(() => Task.FromResult(condition()), static met => met, because, limit, cancellationToken);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Text.Json.Nodes.JsonNode node => node.ToJsonString(),
        _ => value.ToString() ?? "",
    };
}
