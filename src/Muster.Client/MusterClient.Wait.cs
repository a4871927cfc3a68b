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
    /// </summary>
    /// <exception cref="MusterTimeoutException">The run was still going after <see cref="KickoffAndWaitOptions.Timeout"/>; it is not stopped.</exception>
    /// <exception cref="MusterApiException">The server refused the kickoff or a poll.</exception>
    public async Task<KickoffOutcome> KickoffAndWaitAsync(
        KickoffRequest request, KickoffAndWaitOptions? options = null, IProgress<StatusResponse>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        options ??= new KickoffAndWaitOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PollInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BackoffFactor, 1.0);

        using var deadline = options.Timeout is { } timeout ? new CancellationTokenSource(timeout, options.TimeProvider) : null;
        using var linked = deadline is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var kickoffId = Guid.Empty;
        StatusResponse? status = null;
        var polls = 0;
        try
        {
            kickoffId = (await KickoffAsync(request, options.IdempotencyKey, linked.Token)).KickoffId;
            var interval = options.PollInterval;
            while (true)
            {
                await Task.Delay(interval, options.TimeProvider, linked.Token);
                status = await GetStatusAsync(kickoffId, linked.Token);
                polls++;
                progress?.Report(status);
                // The Arazzo flow re-reads the status in collectResult/collectError; this poll's body is that same answer.
                switch (status.Status)
                {
                    case "completed":
                        return new KickoffOutcome
                        {
                            KickoffId = kickoffId, Status = status.Status, Output = status.Result?.Output, Tasks = status.Result?.Tasks ?? [],
                            ExecutionTime = status.ExecutionTime, FinalStatus = status, Polls = polls,
                        };
                    case "error":
                        return new KickoffOutcome
                        {
                            KickoffId = kickoffId, Status = status.Status, Error = status.Error, ExecutionTime = status.ExecutionTime,
                            FinalStatus = status, Polls = polls,
                        };
                }

                interval = NextInterval(interval, options);
            }
        }
        catch (OperationCanceledException) when (deadline is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            throw new MusterTimeoutException(kickoffId, options.Timeout!.Value, status);
        }
    }

    private static TimeSpan NextInterval(TimeSpan interval, KickoffAndWaitOptions options)
    {
        var next = TimeSpan.FromTicks((long)Math.Min(interval.Ticks * options.BackoffFactor, options.MaxPollInterval.Ticks));
        return next < interval ? interval : next;
    }
}
