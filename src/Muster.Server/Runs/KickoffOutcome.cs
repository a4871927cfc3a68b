namespace Muster.Server.Runs;

/// <summary>What a kickoff came to: a stored run, or why none was stored. The caller's mistakes are outcomes, not exceptions.</summary>
internal abstract record KickoffOutcome
{
    private KickoffOutcome()
    {
    }

    /// <summary>The run is stored; <paramref name="Duplicate"/> when an idempotency key repeated an earlier kickoff (its run).</summary>
    public sealed record Started(Guid RunId, bool Duplicate) : KickoffOutcome;

    /// <summary>A run with the id the caller chose (<see cref="KickoffCommand.RunId"/>) exists already: nothing was stored.</summary>
    public sealed record IdTaken(Guid RunId) : KickoffOutcome;

    /// <summary>Inputs the crew's placeholders need are absent or null, in the crew's placeholder order.</summary>
    public sealed record MissingInputs(IReadOnlyList<string> Names) : KickoffOutcome;

    /// <summary>An input makes a task's <c>output_file</c> leave the run's folder.</summary>
    public sealed record OutputFileRefused(string Message) : KickoffOutcome;

    /// <summary>The idempotency key came back within 24 hours with another crew or another body than its first kickoff.</summary>
    public sealed record KeyReused : KickoffOutcome
    {
        public string Message => "This Idempotency-Key was used in the last 24 hours for a kickoff of another crew or with another body; use a new key for a new kickoff.";
    }

    /// <summary>The kickoff's <c>budget</c> would loosen the crew's; <paramref name="Message"/> says which limit.</summary>
    public sealed record BudgetRefused(string Message) : KickoffOutcome;

    /// <summary>The caller's token reached a spending limit (docs/COSTS.md): a 429 with <c>Retry-After</c>.</summary>
    public sealed record TokenLimitReached(string Message, TimeSpan RetryAfter) : KickoffOutcome
    {
        /// <summary>Whole seconds until the limit resets, for <c>Retry-After</c>.</summary>
        public string RetryAfterSeconds => ((long)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The inputs and meta alone take more than a run may record (<c>Muster:Limits:MaxRunBytes</c>).</summary>
    public sealed record TooLarge(long Size, long Limit) : KickoffOutcome
    {
        public string Message => $"The inputs and meta take {Size:N0} bytes of JSON, more than a run may record ({Limit:N0} bytes, Muster:Limits:MaxRunBytes).";
    }
}
