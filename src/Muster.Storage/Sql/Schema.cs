using System.Data.Common;
using Dapper;

namespace Muster.Storage.Sql;

/// <summary>
/// The versioned schema, one script per version, shared by the providers. A provider runs
/// <see cref="MigrateAsync"/> inside a transaction that excludes other migrators; each applied version is
/// recorded in <c>schema_version</c>, so running it again changes nothing.
/// </summary>
internal static class Schema
{
    /// <param name="identity">The column type of an auto-numbered primary key.</param>
    public static IReadOnlyList<string> Migrations(string identity) =>
    [
        $"""
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            crew_name TEXT NOT NULL,
            crew TEXT NOT NULL,
            inputs TEXT NOT NULL,
            meta TEXT,
            owner_id TEXT NOT NULL,
            token_id TEXT NOT NULL,
            correlation_id TEXT NOT NULL,
            idempotency_key TEXT,
            ad_hoc BOOLEAN NOT NULL,
            state TEXT NOT NULL,
            current_task TEXT,
            completed_tasks BIGINT NOT NULL,
            total_tasks BIGINT NOT NULL,
            result TEXT,
            result_json TEXT,
            error TEXT,
            prompt_tokens BIGINT NOT NULL,
            completion_tokens BIGINT NOT NULL,
            cached_prompt_tokens BIGINT NOT NULL,
            successful_requests BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            started_at BIGINT,
            completed_at BIGINT,
            webhooks TEXT NOT NULL,
            pending_review TEXT,
            review TEXT,
            last_sequence BIGINT NOT NULL,
            stop_requested BOOLEAN NOT NULL,
            lease_owner TEXT,
            lease_expires_at BIGINT
        );
        CREATE INDEX ix_runs_newest ON runs (created_at, id);
        CREATE INDEX ix_runs_owner ON runs (owner_id, created_at, id);
        CREATE INDEX ix_runs_runnable ON runs (created_at, id) WHERE state IN ('pending', 'running');
        CREATE INDEX ix_runs_idempotency ON runs (token_id, idempotency_key, created_at) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX ix_runs_finished ON runs (completed_at) WHERE state IN {RunStates.Finished};

        CREATE TABLE run_events (
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            sequence BIGINT NOT NULL,
            type TEXT NOT NULL,
            ts BIGINT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (run_id, sequence)
        );

        CREATE TABLE task_results (
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            sequence BIGINT NOT NULL,
            task_name TEXT NOT NULL,
            agent TEXT NOT NULL,
            output TEXT NOT NULL,
            completed_at BIGINT NOT NULL,
            PRIMARY KEY (run_id, sequence)
        );

        CREATE TABLE deliveries (
            position {identity},
            id TEXT NOT NULL UNIQUE,
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            authentication TEXT,
            state TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            next_attempt_at BIGINT NOT NULL,
            attempt_count BIGINT NOT NULL,
            lease_owner TEXT,
            lease_expires_at BIGINT
        );
        CREATE INDEX ix_deliveries_run ON deliveries (run_id, position);
        CREATE INDEX ix_deliveries_queue ON deliveries (run_id, url, position) WHERE state = 'pending';
        CREATE INDEX ix_deliveries_pending ON deliveries (position) WHERE state = 'pending';

        CREATE TABLE delivery_attempts (
            delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
            attempt_number BIGINT NOT NULL,
            attempted_at BIGINT NOT NULL,
            status_code BIGINT,
            error TEXT,
            PRIMARY KEY (delivery_id, attempt_number)
        );

        CREATE TABLE tokens (
            id TEXT PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            user_id TEXT,
            crews TEXT NOT NULL,
            name TEXT,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        );
        """,

        // The history's filters (GET /api/crew-runs?status=…, crew=…, correlation_id=…), newest first. Without them a
        // status filter walked every run: a poll for running runs scanned the whole history.
        """
        CREATE INDEX ix_runs_state ON runs (state, created_at, id);
        CREATE INDEX ix_runs_crew ON runs (crew_name, created_at, id);
        CREATE INDEX ix_runs_correlation ON runs (correlation_id, created_at, id);

        -- Claims: the oldest pending run comes from ix_runs_state, a lapsed lease from here. The index they replace
        -- mixed pending and running runs, so a claim walked past every live lease first. (Not partial: SQLite's planner,
        -- without statistics, preferred ix_runs_state's state = ? over a partial index and walked every running run.)
        CREATE INDEX ix_runs_lease ON runs (state, lease_expires_at, created_at, id);
        DROP INDEX ix_runs_runnable;
        """,

        // Token management became a right of its own (before, every organization token had it, crew-limited ones too).
        // Tokens that covered every crew keep it, so an existing admin token goes on working; crew-limited ones lose it.
        // A token may also choose its status shape; null follows Muster:Compat:Legacy as before.
        """
        ALTER TABLE tokens ADD COLUMN manage_tokens BOOLEAN NOT NULL DEFAULT FALSE;
        ALTER TABLE tokens ADD COLUMN status_shape TEXT;
        UPDATE tokens SET manage_tokens = TRUE WHERE kind = 'organization' AND crews = '[]';
        """,

        // Webhook fairness: claims visit hosts in turn and cap each host's queues in flight. Deliveries carry their URL's
        // host (those pending from before get their whole URL: grouped per URL, finer than per host, until they are sent),
        // and each (run, url) queue's oldest pending delivery is marked head, so a claim reads a few heads per host from an
        // index instead of walking every pending delivery. ix_deliveries_pending served the walk.
        """
        ALTER TABLE deliveries ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE deliveries ADD COLUMN head BOOLEAN NOT NULL DEFAULT FALSE;
        UPDATE deliveries SET host = url WHERE state = 'pending';
        UPDATE deliveries SET head = TRUE WHERE state = 'pending' AND NOT EXISTS (
            SELECT 1 FROM deliveries a WHERE a.run_id = deliveries.run_id AND a.url = deliveries.url AND a.state = 'pending' AND a.position < deliveries.position);
        CREATE INDEX ix_deliveries_heads ON deliveries (host, next_attempt_at, position) WHERE head;
        CREATE INDEX ix_deliveries_leased ON deliveries (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
        DROP INDEX ix_deliveries_pending;
        """,

        // Idempotency keys are scoped to the owner, and a key reused for another request (another crew, another body) is
        // refused: the fingerprint says what the first request was.
        """
        ALTER TABLE runs ADD COLUMN idempotency_fingerprint TEXT;
        CREATE INDEX ix_runs_owner_idempotency ON runs (owner_id, idempotency_key, created_at) WHERE idempotency_key IS NOT NULL;
        DROP INDEX ix_runs_idempotency;
        """,

        // A crew is kept once per version (the SHA-256 of its JSON) rather than interpolated into every run's row: a run's
        // crew is that version filled with the run's inputs. Runs stored before keep their snapshot in runs.crew (no
        // version). recorded_bytes counts what a run recorded, against Muster:Limits:MaxRunBytes.
        """
        CREATE TABLE crew_snapshots (
            id TEXT PRIMARY KEY,
            crew TEXT NOT NULL,
            last_used_at BIGINT NOT NULL
        );
        ALTER TABLE runs ADD COLUMN crew_version TEXT;
        ALTER TABLE runs ADD COLUMN recorded_bytes BIGINT NOT NULL DEFAULT 0;
        CREATE INDEX ix_runs_crew_version ON runs (crew_version) WHERE crew_version IS NOT NULL;
        """,

        // The protocol that started a run (mcp, a2a, ag-ui); null for an AMP or history API kickoff, as every earlier run.
        """
        ALTER TABLE runs ADD COLUMN protocol TEXT;
        """,

        // The W3C traceparent of the span a run's spans are children of (the kickoff request's, itself a child of the caller's
        // when it sent one): every execution of the run, after a pause, a restart or on another node, joins that trace.
        // Null for runs stored before, and for runs kicked off outside any trace.
        """
        ALTER TABLE runs ADD COLUMN trace_parent TEXT;
        """,

        // Run economics (docs/COSTS.md). cost_nanos is the cost of the run's usage; the spent_ columns sum every LLM call the
        // run made (its budget counts them), worked_ms the time it worked. Costs are whole nano-dollars, null when unknown:
        // runs stored before costs were kept have none.
        """
        ALTER TABLE runs ADD COLUMN cost_nanos BIGINT;
        ALTER TABLE runs ADD COLUMN spent_tokens BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN spent_llm_calls BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN spent_cost_nanos BIGINT;
        ALTER TABLE runs ADD COLUMN worked_ms BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN work_mark_at BIGINT;
        """,

        // The usage report (GET /api/usage, docs/COSTS.md): an llm_call_completed event's row also holds the call's model,
        // tokens and nano-dollars as plain columns (null on every other event), written by the event's own insert, so the
        // report sums integers over a partial index on the calls' time instead of parsing every event's JSON, and a call costs
        // no statement more than its event (docs/COSTS.md says why not a table of its own). Calls stored before this version
        // have no such columns.
        """
        ALTER TABLE run_events ADD COLUMN model TEXT;
        ALTER TABLE run_events ADD COLUMN prompt_tokens BIGINT;
        ALTER TABLE run_events ADD COLUMN completion_tokens BIGINT;
        ALTER TABLE run_events ADD COLUMN cost_nanos BIGINT;
        CREATE INDEX ix_run_events_llm_calls ON run_events (ts) WHERE model IS NOT NULL;
        """,

        // Per-token limits (docs/COSTS.md): tokens and nano-dollars per UTC day and month, null for no limit. A kickoff sums the
        // spend of the token's runs created in the window, which the index serves.
        """
        ALTER TABLE tokens ADD COLUMN max_tokens_per_day BIGINT;
        ALTER TABLE tokens ADD COLUMN max_cost_nanos_per_day BIGINT;
        ALTER TABLE tokens ADD COLUMN max_tokens_per_month BIGINT;
        ALTER TABLE tokens ADD COLUMN max_cost_nanos_per_month BIGINT;
        CREATE INDEX ix_runs_token_created ON runs (token_id, created_at);
        """,

        // The W3C traceparent of the span of the run's latest execution that recorded an event, written with that
        // execution's first write: the next execution (after /resume, a restart, a takeover) links its span to it, since a
        // span cannot stay open across them. Null until a traced execution has recorded something.
        """
        ALTER TABLE runs ADD COLUMN execution_span TEXT;
        """,
    ];

    /// <summary>Applies the versions not yet recorded; returns how many it applied.</summary>
    public static async Task<int> MigrateAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<string> migrations, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
            transaction: transaction, cancellationToken: cancellationToken));
        var current = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version", transaction: transaction, cancellationToken: cancellationToken));
        var applied = 0;
        for (var version = current + 1; version <= migrations.Count; version++)
        {
            await connection.ExecuteAsync(new CommandDefinition(migrations[(int)version - 1], transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_version (version, applied_at) VALUES (@Version, @At)",
                new { Version = version, At = StoreTime.ToMs(now) }, transaction, cancellationToken: cancellationToken));
            applied++;
        }

        return applied;
    }
}
