using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Core.Costs;
using Muster.Core.Crews;
using Muster.Core.Engine;

namespace Muster.Storage.Sql;

/// <summary>The lease columns of a <c>runs</c> row, for heartbeats and fenced appends.</summary>
internal sealed class LeaseRow
{
    public string Id { get; set; } = "";
    public long LastSequence { get; set; }
    public bool StopRequested { get; set; }
    public string? LeaseOwner { get; set; }
}

/// <summary>A <c>runs</c> row as Dapper reads it (see <see cref="Columns"/> for the aliases).</summary>
internal sealed class RunRow
{
    public const string Columns =
        "id AS Id, crew_name AS CrewName, crew AS Crew, inputs AS Inputs, meta AS Meta, owner_id AS OwnerId, " +
        "token_id AS TokenId, correlation_id AS CorrelationId, ad_hoc AS AdHoc, state AS State, current_task AS CurrentTask, " +
        "completed_tasks AS CompletedTasks, total_tasks AS TotalTasks, result AS Result, result_json AS ResultJson, " +
        "error AS Error, prompt_tokens AS PromptTokens, completion_tokens AS CompletionTokens, " +
        "cached_prompt_tokens AS CachedPromptTokens, successful_requests AS SuccessfulRequests, created_at AS CreatedAt, " +
        "started_at AS StartedAt, completed_at AS CompletedAt, webhooks AS Webhooks, pending_review AS PendingReview, " +
        "review AS Review, last_sequence AS LastSequence, stop_requested AS StopRequested, lease_owner AS LeaseOwner, " +
        "lease_expires_at AS LeaseExpiresAt, crew_version AS CrewVersion, recorded_bytes AS RecordedBytes, protocol AS Protocol, " +
        "trace_parent AS TraceParent, execution_span AS ExecutionSpan, " +
        "cost_nanos AS CostNanos, spent_tokens AS SpentTokens, spent_llm_calls AS SpentLlmCalls, spent_cost_nanos AS SpentCostNanos, " +
        "worked_ms AS WorkedMs, work_mark_at AS WorkMarkAt";

    public string Id { get; set; } = "";
    public string CrewName { get; set; } = "";
    /// <summary>The whole interpolated snapshot of a run stored before snapshots were kept apart; empty since.</summary>
    public string Crew { get; set; } = "";
    /// <summary>The <c>crew_snapshots</c> row of the crew the run executes (null for a run whose row holds its snapshot).</summary>
    public string? CrewVersion { get; set; }
    public long RecordedBytes { get; set; }
    public string Inputs { get; set; } = "";
    public string? Meta { get; set; }
    public string OwnerId { get; set; } = "";
    public string TokenId { get; set; } = "";
    public string CorrelationId { get; set; } = "";
    public bool AdHoc { get; set; }
    public string? Protocol { get; set; }
    public string? TraceParent { get; set; }
    public string? ExecutionSpan { get; set; }
    public string State { get; set; } = "";
    public string? CurrentTask { get; set; }
    public long CompletedTasks { get; set; }
    public long TotalTasks { get; set; }
    public string? Result { get; set; }
    public string? ResultJson { get; set; }
    public string? Error { get; set; }
    public long PromptTokens { get; set; }
    public long CompletionTokens { get; set; }
    public long CachedPromptTokens { get; set; }
    public long SuccessfulRequests { get; set; }
    /// <summary>The usage's cost in nano-dollars; null when unknown (a model without a price, or a run from before costs).</summary>
    public long? CostNanos { get; set; }
    public long SpentTokens { get; set; }
    public long SpentLlmCalls { get; set; }
    public long? SpentCostNanos { get; set; }
    public long WorkedMs { get; set; }
    public long? WorkMarkAt { get; set; }
    public long CreatedAt { get; set; }
    public long? StartedAt { get; set; }
    public long? CompletedAt { get; set; }
    public string Webhooks { get; set; } = "";
    public string? PendingReview { get; set; }
    public string? Review { get; set; }
    public long LastSequence { get; set; }
    public bool StopRequested { get; set; }
    public string? LeaseOwner { get; set; }
    public long? LeaseExpiresAt { get; set; }

    /// <param name="crews">The snapshots read so far.</param>
    /// <param name="versions">The crew versions the rows of this read refer to, resolved for it (a cache may drop them meanwhile).</param>
    public RunRecord ToRecord(CrewSnapshots crews, IReadOnlyDictionary<string, CrewDefinition> versions)
    {
        var inputs = StoreJson.ReadObject(Inputs);
        return ToRecord(CrewFor(crews, versions, inputs), inputs);
    }

    private CrewDefinition CrewFor(CrewSnapshots crews, IReadOnlyDictionary<string, CrewDefinition> versions, JsonObject inputs)
    {
        if (CrewVersion is not { } version)
        {
            return crews.Read(Id, Crew);
        }

        if (crews.TryGetRun(Id, out var crew))
        {
            return crew;
        }

        var template = versions.GetValueOrDefault(version) ?? (crews.TryGetVersion(version, out var known) ? known : null)
            ?? throw new InvalidDataException($"Run {Id} refers to crew snapshot {version}, which the store does not have.");
        return crews.Interpolate(Id, template, inputs);
    }

    private RunRecord ToRecord(CrewDefinition crew, JsonObject inputs) => new()
    {
        Id = Guid.Parse(Id),
        CrewName = CrewName,
        Crew = crew,
        Inputs = inputs,
        Meta = StoreJson.ReadObjectOrNull(Meta),
        OwnerId = OwnerId,
        TokenId = TokenId,
        CorrelationId = CorrelationId,
        AdHoc = AdHoc,
        Protocol = Protocol,
        TraceParent = TraceParent,
        ExecutionSpan = ExecutionSpan,
        State = RunStates.Parse(State),
        CurrentTask = CurrentTask,
        CompletedTasks = (int)CompletedTasks,
        TotalTasks = (int)TotalTasks,
        Result = Result,
        ResultJson = StoreJson.ReadObjectOrNull(ResultJson),
        Error = Error,
        Usage = new TokenUsage(PromptTokens, CompletionTokens, CachedPromptTokens, SuccessfulRequests, Nanos.ToUsd(CostNanos)),
        Spent = new RunSpend(SpentTokens, SpentLlmCalls, Nanos.ToUsd(SpentCostNanos)),
        Worked = TimeSpan.FromMilliseconds(WorkedMs),
        WorkMark = StoreTime.FromMs(WorkMarkAt),
        CreatedAt = StoreTime.FromMs(CreatedAt),
        StartedAt = StoreTime.FromMs(StartedAt),
        CompletedAt = StoreTime.FromMs(CompletedAt),
        Webhooks = StoreJson.Read<WebhookSettings>(Webhooks),
        PendingReview = StoreJson.ReadOrNull<TaskOutput>(InputTexts.IsPacked(PendingReview) ? InputTexts.From(Inputs).Unpack(PendingReview!) : PendingReview),
        Review = StoreJson.ReadOrNull<HumanReview>(Review),
        LastSequence = LastSequence,
        StopRequested = StopRequested,
        LeaseOwner = LeaseOwner,
        LeaseExpiresAt = StoreTime.FromMs(LeaseExpiresAt),
        RecordedBytes = RecordedBytes,
    };
}

/// <summary>A <c>run_events</c> row.</summary>
internal sealed class EventRow
{
    public const string Select = "SELECT run_id AS RunId, sequence AS Sequence, type AS Type, ts AS Timestamp, data AS Data FROM run_events";

    public string RunId { get; set; } = "";
    public long Sequence { get; set; }
    public string Type { get; set; } = "";
    public long Timestamp { get; set; }
    public string Data { get; set; } = "";

    /// <summary>True when the row holds references to its run's inputs (<see cref="InputTexts"/>).</summary>
    public bool IsPacked => InputTexts.IsPacked(Data);

    public RunEventRecord ToRecord(InputTexts texts) => new(Guid.Parse(RunId), Sequence, Type, StoreTime.FromMs(Timestamp), texts.Unpack(Data));
}

internal sealed class DeliveryRow
{
    public const string Columns =
        "d.position AS Position, d.id AS Id, d.run_id AS RunId, d.url AS Url, d.host AS Host, d.kind AS Kind, d.payload AS Payload, " +
        "d.authentication AS Authentication, d.state AS State, d.created_at AS CreatedAt, d.next_attempt_at AS NextAttemptAt, " +
        "d.attempt_count AS AttemptCount";

    public long Position { get; set; }
    public string Id { get; set; } = "";
    public string RunId { get; set; } = "";
    public string Url { get; set; } = "";
    public string Host { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Payload { get; set; } = "";
    public string? Authentication { get; set; }
    public string State { get; set; } = "";
    public long CreatedAt { get; set; }
    public long NextAttemptAt { get; set; }
    public long AttemptCount { get; set; }

    public DeliveryRecord ToRecord(IReadOnlyList<DeliveryAttempt> attempts) => new()
    {
        Id = Guid.Parse(Id),
        RunId = Guid.Parse(RunId),
        Position = Position,
        Url = Url,
        Host = Host,
        Kind = Kind,
        Payload = Payload,
        Authentication = Authentication,
        State = RunStates.ParseDelivery(State),
        CreatedAt = StoreTime.FromMs(CreatedAt),
        NextAttemptAt = StoreTime.FromMs(NextAttemptAt),
        AttemptCount = (int)AttemptCount,
        Attempts = attempts,
    };
}

internal sealed class AttemptRow
{
    public string DeliveryId { get; set; } = "";
    public long AttemptedAt { get; set; }
    public long? StatusCode { get; set; }
    public string? Error { get; set; }
}

internal sealed class TokenRow
{
    public const string Columns =
        "id AS Id, hash AS Hash, kind AS Kind, user_id AS UserId, crews AS Crews, name AS Name, manage_tokens AS ManageTokens, " +
        "status_shape AS StatusShape, created_at AS CreatedAt, revoked_at AS RevokedAt, " +
        "max_tokens_per_day AS MaxTokensPerDay, max_cost_nanos_per_day AS MaxCostNanosPerDay, " +
        "max_tokens_per_month AS MaxTokensPerMonth, max_cost_nanos_per_month AS MaxCostNanosPerMonth";

    public string Id { get; set; } = "";
    public string Hash { get; set; } = "";
    public string Kind { get; set; } = "";
    public string? UserId { get; set; }
    public string Crews { get; set; } = "[]";
    public string? Name { get; set; }
    public bool ManageTokens { get; set; }
    public string? StatusShape { get; set; }
    public long CreatedAt { get; set; }
    public long? RevokedAt { get; set; }
    public long? MaxTokensPerDay { get; set; }
    public long? MaxCostNanosPerDay { get; set; }
    public long? MaxTokensPerMonth { get; set; }
    public long? MaxCostNanosPerMonth { get; set; }

    private TokenLimits? Limits => MaxTokensPerDay is null && MaxCostNanosPerDay is null && MaxTokensPerMonth is null && MaxCostNanosPerMonth is null
        ? null
        : new TokenLimits
        {
            MaxTokensPerDay = MaxTokensPerDay,
            MaxCostUsdPerDay = Nanos.ToUsd(MaxCostNanosPerDay),
            MaxTokensPerMonth = MaxTokensPerMonth,
            MaxCostUsdPerMonth = Nanos.ToUsd(MaxCostNanosPerMonth),
        };

    public TokenRecord ToRecord() => new()
    {
        Id = Id,
        Hash = Hash,
        Kind = Kind == "user" ? TokenKind.User : TokenKind.Organization,
        UserId = UserId,
        Crews = StoreJson.Read<string[]>(Crews),
        Name = Name,
        ManageTokens = ManageTokens,
        StatusShape = StatusShapes.Read(StatusShape),
        CreatedAt = StoreTime.FromMs(CreatedAt),
        RevokedAt = StoreTime.FromMs(RevokedAt),
        Limits = Limits,
    };
}
