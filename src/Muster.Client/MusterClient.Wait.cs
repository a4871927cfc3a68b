using System.Text.Json.Nodes;
using Muster.Contracts.Amp;

namespace Muster.Client;

public sealed partial class MusterClient
{
    /// <summary>Kicks off with <paramref name="inputs"/> and waits for the outcome; see <see cref="KickoffAndWaitAsync(KickoffRequest, KickoffAndWaitOptions?, IProgress{StatusResponse}?, CancellationToken)"/>.</summary>
    public Task<KickoffOutcome> KickoffAndWaitAsync(
        JsonObject inputs, KickoffAndWaitOptions? options = null, IProgress<StatusResponse>? progress = null, CancellationToken cancellationToken = default) =>
        KickoffAndWaitAsync(new KickoffRequest { Inputs = inputs }, options, progress, cancellationToken);

    /// <summary>
    /// The canonical AMP workflow (kickoff-and-poll Arazzo): <c>POST /kickoff</c>, then <c>GET /status/{id}</c> while the
    /// status is <c>running</c> (the interval grows by <see cref="KickoffAndWaitOptions.BackoffFactor"/> up to
    /// <see cref="KickoffAndWaitOptions.MaxPollInterval"/>), ending on <c>completed</c> or <c>error</c>. Only the documented
    /// AMP fields are read, so it works against any AMP-compatible server. Each status is reported to <paramref name="progress"/>.
    /// <see cref="KickoffAndWaitOptions.Timeout"/> covers the kickoff and the wait together.
    /// </summary>
    /// <exception cref="MusterTimeoutException">The run was still going after <see cref="KickoffAndWaitOptions.Timeout"/>; it is not stopped.</exception>
    /// <exception cref="MusterApiException">The server refused the kickoff or a poll.</exception>
    public async Task<KickoffOutcome> KickoffAndWaitAsync(
        KickoffRequest request, KickoffAndWaitOptions? options = null, IProgress<StatusResponse>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        options = Checked(options);
        using var deadline = options.Timeout is { } timeout ? new CancellationTokenSource(timeout, options.TimeProvider) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline?.Token ?? CancellationToken.None);
        var poll = new PollState();
        try
        {
            poll.KickoffId = (await KickoffAsync(request, options.IdempotencyKey, linked.Token)).KickoffId;
            return await PollUntilFinishedAsync(poll, options, progress, linked.Token);
        }
        catch (OperationCanceledException) when (TimedOut(deadline, cancellationToken))
        {
            throw new MusterTimeoutException(poll.KickoffId, options.Timeout!.Value, poll.Last);
        }
    }

    /// <summary>
    /// The polling half of the canonical workflow, for an execution already started (for example after a
    /// <see cref="ResumeAsync"/>): <c>GET /status/{id}</c> while <c>running</c>, ending on <c>completed</c> or <c>error</c>,
    /// with the interval, backoff, <paramref name="progress"/> and timeout of <paramref name="options"/>
    /// (<see cref="KickoffAndWaitOptions.IdempotencyKey"/> is not used).
    /// </summary>
    /// <exception cref="MusterTimeoutException">The run was still going after <see cref="KickoffAndWaitOptions.Timeout"/>; it is not stopped.</exception>
    /// <exception cref="MusterApiException">The server refused a poll (for example 404 for an unknown execution).</exception>
    public async Task<KickoffOutcome> WaitForCompletionAsync(
        Guid kickoffId, KickoffAndWaitOptions? options = null, IProgress<StatusResponse>? progress = null, CancellationToken cancellationToken = default)
    {
        options = Checked(options);
        using var deadline = options.Timeout is { } timeout ? new CancellationTokenSource(timeout, options.TimeProvider) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline?.Token ?? CancellationToken.None);
        var poll = new PollState { KickoffId = kickoffId };
        try
        {
            return await PollUntilFinishedAsync(poll, options, progress, linked.Token);
        }
        catch (OperationCanceledException) when (TimedOut(deadline, cancellationToken))
        {
            throw new MusterTimeoutException(kickoffId, options.Timeout!.Value, poll.Last);
        }
    }

    private async Task<KickoffOutcome> PollUntilFinishedAsync(PollState poll, KickoffAndWaitOptions options, IProgress<StatusResponse>? progress, CancellationToken token)
    {
        var interval = options.PollInterval;
        while (true)
        {
            await Task.Delay(interval, options.TimeProvider, token);
            var status = await GetStatusAsync(poll.KickoffId, token);
            poll.Last = status;
            poll.Polls++;
            progress?.Report(status);
            // The Arazzo flow re-reads the status in collectResult/collectError; this poll's body is that same answer.
            switch (status.Status)
            {
                case "completed":
                    return new KickoffOutcome
                    {
                        KickoffId = poll.KickoffId, Status = status.Status, Output = status.Result?.Output, Tasks = status.Result?.Tasks ?? [],
                        ExecutionTime = status.ExecutionTime, FinalStatus = status, Polls = poll.Polls,
                    };
                case "error":
                    return new KickoffOutcome
                    {
                        KickoffId = poll.KickoffId, Status = status.Status, Error = status.Error, ExecutionTime = status.ExecutionTime,
                        FinalStatus = status, Polls = poll.Polls,
                    };
            }

            interval = NextInterval(interval, options);
        }
    }

    private static KickoffAndWaitOptions Checked(KickoffAndWaitOptions? options)
    {
        options ??= new KickoffAndWaitOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PollInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BackoffFactor, 1.0);
        return options;
    }

    private static bool TimedOut(CancellationTokenSource? deadline, CancellationToken cancellationToken) =>
        deadline is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested;

    private static TimeSpan NextInterval(TimeSpan interval, KickoffAndWaitOptions options)
    {
        var next = TimeSpan.FromTicks((long)Math.Min(interval.Ticks * options.BackoffFactor, options.MaxPollInterval.Ticks));
        return next < interval ? interval : next;
    }

    /// <summary>What a wait has seen so far, for the timeout exception.</summary>
    private sealed class PollState
    {
        public Guid KickoffId { get; set; }

        public StatusResponse? Last { get; set; }

        public int Polls { get; set; }
    }
}
