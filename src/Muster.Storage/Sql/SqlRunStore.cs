using System.Buffers.Text;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using Muster.Core.Crews;
using Muster.Core.Engine;

namespace Muster.Storage.Sql;

/// <summary>
/// The run store over SQL, shared by the providers: the statements are portable (SQLite 3.35+ and PostgreSQL
/// both know RETURNING and partial indexes); each provider supplies connections, transactions, locking clauses
/// and its schema. Ids are stored as text and timestamps as UTC unix milliseconds, so sub-millisecond
/// precision of a <see cref="DateTimeOffset"/> is not kept.
/// </summary>
public abstract partial class SqlRunStore : IRunStore, IDeliveryStore, ITokenStore
{
    private static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    private protected SqlRunStore(TimeProvider timeProvider)
    {
        Time = timeProvider;
        Health = new StoreHealth(timeProvider);
    }

    private protected TimeProvider Time { get; }

    private protected CrewSnapshots Crews { get; } = new();

    /// <summary>Whether runs can be stored, from the outcome of this store's recent reads and writes.</summary>
    public StoreHealth Health { get; }

    /// <summary>Runs <paramref name="read"/> on a connection lent to it for the call (outside any write transaction).</summary>
    private protected abstract Task<T> ReadCoreAsync<T>(Func<DbConnection, Task<T>> read, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one write transaction and commits it.</summary>
    private protected abstract Task<T> InTransactionCoreAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>
    /// Every read goes through here: a store failure (busy, gone, full, corrupt) leaves as a <see cref="StoreUnavailableException"/>,
    /// and the outcome goes into <see cref="Health"/>.
    /// </summary>
    private protected async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            var result = await ReadCoreAsync(read, cancellationToken);
            Health.Succeeded(write: false);
            return result;
        }
        catch (Exception ex) when (StoreFailures.Translate(ex) is StoreUnavailableException failure)
        {
            Health.Failed(failure, write: false);
            throw failure;
        }
    }

    /// <summary>
    /// Every write goes through here, as <see cref="ReadAsync"/> does; <paramref name="wrote"/> says whether a result means
    /// something was written (a claim that found nothing shows the store answers, not that it has room).
    /// </summary>
    private protected async Task<T> InTransactionAsync<T>(
        Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken, Func<T, bool>? wrote = null)
    {
        T result;
        try
        {
            result = await InTransactionCoreAsync(work, cancellationToken);
        }
        catch (Exception ex) when (StoreFailures.Translate(ex) is StoreUnavailableException failure)
        {
            Health.Failed(failure, write: true);
            throw failure;
        }

        Health.Succeeded(write: true, wroteSomething: wrote?.Invoke(result) ?? true);
        return result;
    }

    /// <summary>A membership test of a column against a list parameter (<c>IN @p</c> or <c>= ANY(@p)</c>).</summary>
    private protected abstract string AnyOf(string parameter);

    /// <summary>Appended to a single-row read that a transaction goes on to change (empty where writers are serialized).</summary>
    private protected abstract string LockRow { get; }

    /// <summary>Appended to a claim query so that concurrent claimers pass over each other's rows.</summary>
    private protected abstract string SkipLocked { get; }

    /// <summary>Serializes kickoffs that share an owner and idempotency key until the transaction ends.</summary>
    private protected abstract Task LockIdempotencyKeyAsync(DbConnection connection, DbTransaction transaction, string scope, CancellationToken cancellationToken);

    public abstract Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What readiness reads: the runs table itself, not <c>SELECT 1</c>, so that a corrupt file or a dropped table fails here
    /// as runs would. The newest run's row (a column no index holds, so the table is read, not only an index).
    /// </summary>
    private protected virtual string ReadinessProbe => "SELECT crew_name FROM runs ORDER BY created_at DESC, id DESC LIMIT 1";

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        await ReadAsync(connection => connection.ExecuteAsync(new CommandDefinition(ReadinessProbe, cancellationToken: cancellationToken)), cancellationToken);
        return true;
    }

    public async Task<CreateRunResult> CreateRunAsync(NewRun run, CancellationToken cancellationToken)
    {
        var inputs = run.Inputs.ToJsonString();
        var meta = run.Meta?.ToJsonString();
        var (result, version, usedAt) = await InTransactionAsync(async (connection, transaction) =>
        {
            string? fingerprint = null;
            if (run.IdempotencyKey is { } key)
            {
                fingerprint = RequestFingerprint.Of(run, Crews.Write(run.Crew).Version, inputs, meta);
                await LockIdempotencyKeyAsync(connection, transaction, run.OwnerId + "\n" + key, cancellationToken);
                var existing = await connection.QueryFirstOrDefaultAsync<(string Id, string CrewName, string? Fingerprint)>(new CommandDefinition(
                    "SELECT id, crew_name, idempotency_fingerprint FROM runs " +
                    "WHERE owner_id = @OwnerId AND idempotency_key = @Key AND created_at > @Cutoff ORDER BY created_at DESC LIMIT 1",
                    new { run.OwnerId, Key = key, Cutoff = StoreTime.ToMs(run.CreatedAt - IdempotencyWindow) },
                    transaction, cancellationToken: cancellationToken));
                if (existing.Id is not null)
                {
                    // A run stored before fingerprints were kept is the same request when it is of the same crew.
                    var same = existing.Fingerprint is null ? existing.CrewName == run.CrewName : existing.Fingerprint == fingerprint;
                    return (new CreateRunResult(same ? CreateRunOutcome.Duplicate : CreateRunOutcome.KeyReused, Guid.Parse(existing.Id)), null, null);
                }
            }

            var (crewVersion, used) = await KeepCrewAsync(connection, transaction, run.Crew, cancellationToken);
            // A caller may choose the id (an AG-UI thread id): two requests racing with the same one store one run, and the
            // other learns it was taken instead of failing on the key.
            var inserted = await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO runs (id, crew_name, crew, crew_version, inputs, meta, owner_id, token_id, correlation_id, idempotency_key,
                    idempotency_fingerprint, ad_hoc, state, completed_tasks, total_tasks, prompt_tokens, completion_tokens,
                    cached_prompt_tokens, successful_requests, created_at, webhooks, last_sequence, stop_requested, recorded_bytes, protocol, trace_parent,
                    cost_nanos, spent_tokens, spent_llm_calls, spent_cost_nanos, worked_ms)
                VALUES (@Id, @CrewName, '', @CrewVersion, @Inputs, @Meta, @OwnerId, @TokenId, @CorrelationId, @IdempotencyKey,
                    @Fingerprint, @AdHoc, 'pending', 0, @TotalTasks, 0, 0, 0, 0, @CreatedAt, @Webhooks, 0, FALSE, @Recorded, @Protocol, @TraceParent,
                    0, 0, 0, 0, 0)
                ON CONFLICT (id) DO NOTHING
                """,
                new
                {
                    Id = run.Id.ToString(),
                    run.CrewName,
                    CrewVersion = crewVersion,
                    Inputs = inputs,
                    Meta = meta,
                    run.OwnerId,
                    run.TokenId,
                    run.CorrelationId,
                    run.IdempotencyKey,
                    Fingerprint = fingerprint,
                    run.AdHoc,
                    TotalTasks = (long)run.Crew.Tasks.Count,
                    CreatedAt = StoreTime.ToMs(run.CreatedAt),
                    Webhooks = StoreJson.Write(run.Webhooks),
                    // What a run records is counted in JSON as written, which System.Text.Json keeps to ASCII: one byte a character.
                    Recorded = (long)inputs.Length + (meta?.Length ?? 0),
                    run.Protocol,
                    run.TraceParent,
                },
                transaction, cancellationToken: cancellationToken));
            return inserted == 0
                ? (new CreateRunResult(CreateRunOutcome.IdTaken, run.Id), null, null)
                : (new CreateRunResult(CreateRunOutcome.Created, run.Id), (string?)crewVersion, used);
        }, cancellationToken);

        if (result.Outcome == CreateRunOutcome.Created)
        {
            if (usedAt is { } at)
            {
                Crews.MarkUsed(version!, at);
            }

            Texts.Remember(run.Id.ToString(), inputs);
        }

        return result;
    }

    public async Task<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        return await ReadAsync(async connection =>
        {
            var row = await connection.QueryFirstOrDefaultAsync<RunRow>(new CommandDefinition(
                $"SELECT {RunRow.Columns} FROM runs WHERE id = @Id", new { Id = runId.ToString() }, cancellationToken: cancellationToken));
            return row is null ? null : (await ToRecordsAsync(connection, null, [row], cancellationToken))[0];
        }, cancellationToken);
    }

    public async Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(query.Limit, 1, 1000);
        var where = new List<string>();
        var parameters = new DynamicParameters();
        if (query.States is { Length: > 0 } states)
        {
            where.Add("state " + AnyOf("@States"));
            parameters.Add("States", states.Select(RunStates.ToText).ToArray());
        }

        // crew_type names a deployed crew: an ad-hoc run that took the same name is not one of its runs.
        AddFilter(where, parameters, "crew_name = @CrewName AND ad_hoc = FALSE", "CrewName", query.CrewName);
        AddFilter(where, parameters, "correlation_id = @CorrelationId", "CorrelationId", query.CorrelationId);
        AddFilter(where, parameters, "owner_id = @OwnerId", "OwnerId", query.OwnerId);
        AddFilter(where, parameters, "created_at > @CreatedAfter", "CreatedAfter", StoreTime.ToMs(query.CreatedAfter));
        AddFilter(where, parameters, "created_at < @CreatedBefore", "CreatedBefore", StoreTime.ToMs(query.CreatedBefore));
        if (query.Cursor is { } cursor)
        {
            var (createdAt, id) = DecodeCursor(cursor);
            where.Add("(created_at < @CursorCreatedAt OR (created_at = @CursorCreatedAt AND id < @CursorId))");
            parameters.Add("CursorCreatedAt", createdAt);
            parameters.Add("CursorId", id);
        }

        parameters.Add("Take", (long)limit + 1);
        var sql = $"SELECT {RunRow.Columns} FROM runs" +
            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
            " ORDER BY created_at DESC, id DESC LIMIT @Take";
        return await ReadAsync(async connection =>
        {
            var rows = (await connection.QueryAsync<RunRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).ToList();
            var page = rows.Take(limit).ToList();
            var next = rows.Count > limit ? EncodeCursor(page[^1].CreatedAt, page[^1].Id) : null;
            return new RunPage(await ToRecordsAsync(connection, null, page, cancellationToken), next);
        }, cancellationToken);
    }

    public async Task<bool> DeleteRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        var deleted = await InTransactionAsync(async (connection, transaction) =>
        {
            var versions = (await connection.QueryAsync<string?>(new CommandDefinition(
                $"DELETE FROM runs WHERE id = @Id AND state IN {RunStates.Finished} RETURNING crew_version",
                new { Id = runId.ToString() }, transaction, cancellationToken: cancellationToken))).ToList();
            if (versions is [{ } version])
            {
                await DeleteUnusedSnapshotsAsync(connection, transaction, version, cancellationToken);
            }

            return versions.Count == 1;
        }, cancellationToken);
        if (deleted)
        {
            Texts.Forget(runId.ToString());
        }

        return deleted;
    }

    public Task<int> PurgeFinishedRunsAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            var purged = await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM runs WHERE state IN {RunStates.Finished} AND completed_at < @Before",
                new { Before = StoreTime.ToMs(completedBefore) }, transaction, cancellationToken: cancellationToken));
            await DeleteUnusedSnapshotsAsync(connection, transaction, null, cancellationToken);
            return purged;
        }, cancellationToken);

    public async Task<IReadOnlyList<TaskOutput>> GetTaskResultsAsync(Guid runId, CancellationToken cancellationToken)
    {
        var id = runId.ToString();
        return await ReadAsync(async connection =>
        {
            var outputs = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT output FROM task_results WHERE run_id = @Id ORDER BY sequence",
                new { Id = id }, cancellationToken: cancellationToken))).ToList();
            var texts = outputs.Any(InputTexts.IsPacked) ? await InputTextsAsync(connection, null, id, cancellationToken) : InputTexts.None;
            // Null: the run was deleted since its outputs were read, as if a moment sooner.
            return texts is null ? [] : (IReadOnlyList<TaskOutput>)[.. outputs.Select(output => StoreJson.Read<TaskOutput>(texts.Unpack(output)))];
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<RunEventRecord>> GetEventsAsync(Guid runId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        var id = runId.ToString();
        return await ReadAsync(async connection =>
        {
            var rows = (await connection.QueryAsync<EventRow>(new CommandDefinition(
                $"{EventRow.Select} WHERE run_id = @Id AND sequence > @After ORDER BY sequence LIMIT @Limit",
                new { Id = id, After = afterSequence, Limit = (long)Math.Max(limit, 0) },
                cancellationToken: cancellationToken))).ToList();
            var texts = rows.Any(r => r.IsPacked) ? await InputTextsAsync(connection, null, id, cancellationToken) : InputTexts.None;
            // Null: the run was deleted since its events were read, as if a moment sooner.
            return texts is null ? [] : (IReadOnlyList<RunEventRecord>)[.. rows.Select(r => r.ToRecord(texts))];
        }, cancellationToken);
    }

    private static void AddFilter<T>(List<string> where, DynamicParameters parameters, string clause, string name, T? value)
    {
        if (value is not null)
        {
            where.Add(clause);
            parameters.Add(name, value);
        }
    }

    private static string EncodeCursor(long createdAt, string id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(createdAt.ToString(CultureInfo.InvariantCulture) + ":" + id));

    private static (long CreatedAt, string Id) DecodeCursor(string cursor)
    {
        Span<byte> buffer = stackalloc byte[128];
        if (Base64Url.IsValid(cursor) && Base64Url.TryDecodeFromChars(cursor, buffer, out var written))
        {
            var text = Encoding.UTF8.GetString(buffer[..written]);
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var createdAt)
                && Guid.TryParse(text.AsSpan(colon + 1), out _))
            {
                return (createdAt, text[(colon + 1)..]);
            }
        }

        throw new ArgumentException("The cursor is not one this server issued.", nameof(cursor));
    }
}
