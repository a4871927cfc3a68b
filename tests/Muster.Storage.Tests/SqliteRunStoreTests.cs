using Muster.Contracts;
using Muster.Core.Engine;
using Muster.Storage.Sqlite;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

/// <summary>The behaviour suite on a SQLite file of its own per test.</summary>
public sealed class SqliteRunStoreTests : RunStoreBehaviour
{
    private string ConnectionString { get; set; } = "";

    protected override Task<StoreUnderTest> CreateStoreAsync(TimeProvider time)
    {
        var folder = Directory.CreateTempSubdirectory("muster-store-");
        var connectionString = ConnectionString = $"Data Source={Path.Combine(folder.FullName, "muster.db")}";
        var stores = new List<SqliteRunStore> { new(connectionString, time) };
        StoreNode AnotherNode()
        {
            var store = new SqliteRunStore(connectionString, time);
            stores.Add(store);
            return new StoreNode(store, store);
        }

        async Task<long> Scalar(string sql)
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"{connectionString};Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteScalarAsync() is { } value and not DBNull ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        }

        return Task.FromResult(new StoreUnderTest(stores[0], stores[0], stores[0], AnotherNode, Scalar, () =>
        {
            stores.ForEach(s => s.Dispose());
            folder.Delete(recursive: true);
            return ValueTask.CompletedTask;
        }));
    }

    [Fact]
    public async Task MigrationToVersion3_KeepsTokenManagementForOrganizationTokensOfEveryCrewOnly()
    {
        var folder = Directory.CreateTempSubdirectory("muster-migration-");
        try
        {
            var connectionString = $"Data Source={Path.Combine(folder.FullName, "muster.db")}";
            using var store = new SqliteRunStore(connectionString, TimeProvider.System);
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString + ";Pooling=False");

            await TokenRightsMigration.CheckAsync(connection, "INTEGER PRIMARY KEY AUTOINCREMENT", store);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // The queries a busy node makes all the time must seek an index, not walk the runs table: a claim among thousands of
    // runs in flight, and the history filtered by status, crew or correlation id.
    [Theory]
    [InlineData("SELECT id FROM runs WHERE state = 'running' AND lease_expires_at <= 1 ORDER BY lease_expires_at, created_at, id LIMIT 1", "ix_runs_lease")]
    [InlineData("SELECT id FROM runs WHERE state = 'running' AND lease_expires_at IS NULL ORDER BY created_at, id LIMIT 1", "ix_runs_lease")]
    [InlineData("SELECT id FROM runs WHERE state = 'pending' ORDER BY created_at, id LIMIT 1", "ix_runs_state")]
    [InlineData("SELECT id FROM runs WHERE state IN ('running') ORDER BY created_at DESC, id DESC LIMIT 2", "ix_runs_state")]
    [InlineData("SELECT id FROM runs WHERE crew_name = 'research' ORDER BY created_at DESC, id DESC LIMIT 2", "ix_runs_crew")]
    [InlineData("SELECT id FROM runs WHERE correlation_id = 'c' ORDER BY created_at DESC, id DESC LIMIT 2", "ix_runs_correlation")]
    public async Task HotQueries_SeekAnIndex(string query, string index)
    {
        await CreateAsync(Run());

        // SEARCH: a seek into the index (SCAN would walk all of it).
        string.Join(" | ", await PlanAsync(query)).ShouldMatch($"SEARCH runs USING (COVERING )?INDEX {index} ");
    }

    // A delivery claim must cost the same with ten thousand webhooks waiting for a dead receiver as with none: it reads the
    // leased deliveries, each host's few due heads and a queue's next delivery through indexes, never the whole outbox.
    [Theory]
    [InlineData("SELECT host, SUM(CASE WHEN head THEN 1 ELSE 0 END) FROM deliveries WHERE lease_expires_at > 1 GROUP BY host", "ix_deliveries_leased")]
    [InlineData("SELECT MIN(d.host) FROM deliveries d WHERE d.head AND d.host > 'a'", "ix_deliveries_heads")]
    [InlineData("SELECT id FROM deliveries d WHERE d.head AND d.host = 'a' AND d.next_attempt_at <= 1 AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= 1) ORDER BY d.next_attempt_at, d.position LIMIT 8", "ix_deliveries_heads")]
    [InlineData("SELECT MIN(position) FROM deliveries WHERE run_id = 'r' AND url = 'u' AND state = 'pending'", "ix_deliveries_queue")]
    public async Task DeliveryClaimQueries_SeekAnIndex(string query, string index)
    {
        var id = await CreateRunningAsync();
        await Runs.AppendEventAsync(Event(id, 1), null, [Delivery(id)], Ct);

        string.Join(" | ", await PlanAsync(query)).ShouldMatch($"SEARCH (deliveries|d) USING (COVERING )?INDEX {index} ");
    }

    private async Task<List<string>> PlanAsync(string query)
    {
        var file = ((Microsoft.Data.Sqlite.SqliteConnectionStringBuilder)new(ConnectionString)).DataSource;
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + query;
        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }

        return plan;
    }

    // Writes queued together commit together, each in its own savepoint: one failing write must not take the others down,
    // and what it wrote before failing (the event, the run's update) must go.
    [Fact]
    public async Task ConcurrentWrites_OneFailingHalfway_IsRolledBackAloneWhileTheOthersCommit()
    {
        var runs = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            runs.Add(await CreateRunningAsync());
        }

        var twice = Delivery(runs[7]);
        var appends = runs.Select((id, i) => Runs.AppendEventAsync(
            Event(id, 1), new RunUpdate { CurrentTask = "task_1" }, i == 7 ? [twice, twice] : [], Ct)).ToList();
        var creates = Enumerable.Range(0, 20).Select(_ => Runs.CreateRunAsync(Run(), Ct)).ToList();

        await Should.ThrowAsync<Microsoft.Data.Sqlite.SqliteException>(() => appends[7]);
        foreach (var (append, i) in appends.Select((a, i) => (a, i)).Where(x => x.i != 7))
        {
            await append;
            (await Runs.GetEventsAsync(runs[i], 0, 10, Ct)).ShouldHaveSingleItem().Sequence.ShouldBe(1);
        }

        (await Runs.GetEventsAsync(runs[7], 0, 10, Ct)).ShouldBeEmpty();
        (await Runs.GetRunAsync(runs[7], Ct))!.CurrentTask.ShouldBeNull();
        foreach (var created in await Task.WhenAll(creates))
        {
            (await Runs.GetRunAsync(created.RunId, Ct)).ShouldNotBeNull();
        }
    }

    // A row another version of Muster stored (an event type or fields this version does not write) is served as it was
    // stored: readers get the stored text, not what this version would write for it.
    [Fact]
    public async Task GetEvents_ARowStoredByAnotherVersion_IsServedByteForByte()
    {
        var id = await CreateRunningAsync();
        const string data = """{"task_name":"task_1","legacy":{"kept":[1,2.50,null]},"note":"\u00e9 \u003C"}""";
        await ExecuteAsync("INSERT INTO run_events (run_id, sequence, type, ts, data) VALUES ($run, 1, 'agent_thought', 0, $data)", id, data);

        var stored = (await Runs.GetEventsAsync(id, 0, 10, Ct)).ShouldHaveSingleItem();

        stored.Type.ShouldBe("agent_thought");
        stored.Data.ShouldBe(data);
    }

    // Before token usage had one JSON form, a stored task output kept its usage under camel-case names: a run resumed
    // from such an output, and its history, still count those tokens.
    [Fact]
    public async Task GetTaskResults_AnOutputStoredWithTheEarlierUsageNames_KeepsItsCounts()
    {
        var id = await CreateRunningAsync();
        const string output = """
            {"name":"task_1","description":"Do task_1","expectedOutput":"A paragraph","summary":"Do task_1...","raw":"done","agent":"Writer",
            "executionTimeSeconds":1.5,"usage":{"promptTokens":10,"completionTokens":5,"cachedPromptTokens":2,"successfulRequests":1,"totalTokens":15}}
            """;
        await ExecuteAsync("INSERT INTO task_results (run_id, sequence, task_name, agent, output, completed_at) VALUES ($run, 1, 'task_1', 'Writer', $data, 0)", id, output);

        var result = (await Runs.GetTaskResultsAsync(id, Ct)).ShouldHaveSingleItem();

        result.Raw.ShouldBe("done");
        result.Usage.ShouldBe(new TokenUsage(10, 5, 2, 1, CostUsd: null), "stored before costs were, so its cost is unknown");
        result.Usage.TotalTokens.ShouldBe(15);
    }

    private async Task ExecuteAsync(string sql, Guid runId, string data)
    {
        var file = ((Microsoft.Data.Sqlite.SqliteConnectionStringBuilder)new(ConnectionString)).DataSource;
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$run", runId.ToString());
        command.Parameters.AddWithValue("$data", data);
        await command.ExecuteNonQueryAsync();
    }
}
