using Muster.Contracts.Amp;

namespace Muster.Client;

/// <summary>
/// Polling of <see cref="MusterClient.KickoffAndWaitAsync(System.Text.Json.Nodes.JsonObject, KickoffAndWaitOptions?, IProgress{StatusResponse}?, CancellationToken)"/>
/// and <see cref="MusterClient.WaitForCompletionAsync"/>.
/// </summary>
public sealed record KickoffAndWaitOptions
{
    /// <summary>Wait before the first poll and between polls at first.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The interval never grows beyond this.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Each poll that finds the run still running multiplies the interval by this (1 = fixed interval).</summary>
    public double BackoffFactor { get; init; } = 1.5;

    /// <summary>Overall limit for the kickoff and the wait (for <see cref="MusterClient.WaitForCompletionAsync"/>: the wait); null waits as long as the run takes.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Sent as <c>Idempotency-Key</c> with the kickoff so a retried call does not start a second run.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The clock used to wait between polls (tests inject a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>How an execution ended: completed with its output and tasks, or error with the error message.</summary>
public sealed record KickoffOutcome
{
    /// <summary>The execution's id.</summary>
    public required Guid KickoffId { get; init; }

    /// <summary><c>completed</c> or <c>error</c>.</summary>
    public required string Status { get; init; }

    /// <summary>True when <see cref="Status"/> is <c>completed</c>.</summary>
    public bool Succeeded => Status == "completed";

    /// <summary>The crew's final output (completed only).</summary>
    public string? Output { get; init; }

    /// <summary>Per-task results (completed only; empty otherwise).</summary>
    public IReadOnlyList<StatusTaskResult> Tasks { get; init; } = [];

    /// <summary>The error message (error only).</summary>
    public string? Error { get; init; }

    /// <summary>Execution time in seconds, as the server reports it.</summary>
    public double? ExecutionTime { get; init; }

    /// <summary>The final status as received.</summary>
    public required StatusResponse FinalStatus { get; init; }

    /// <summary>How many times the status was polled.</summary>
    public int Polls { get; init; }
}
