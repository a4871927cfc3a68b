using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.StoreOutages;

/// <summary>
/// A server on a SQLite file that another process locks, or that is corrupt: runs in flight pause and complete with no task
/// run twice, requests answer 503 with <c>Retry-After</c> (never a bare 500 or a hang), and <c>/readyz</c> says why.
/// </summary>
public sealed class SqliteOutageTests : IDisposable
{
    private const int Runs = 4;
    private readonly TempFolder _folder = new();

    private string DatabasePath => _folder.Combine("outage.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task AnOutsideWriteLock_PausesRunsInFlight_KickoffsAnswer503_AndEverythingCompletesOnceItIsReleased()
    {
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?>
            {
                // The writer gives up on the lock after a second or so (busy_timeout and this), not after half a minute.
                ["Muster:Storage:ConnectionString"] = $"Data Source={DatabasePath};Default Timeout=1",
                ["Muster:Storage:RequestWriteTimeout"] = "00:00:01",
                // Only the run's own retries can finish it while the test waits, not a lapsed lease.
                ["Muster:Execution:LeaseSeconds"] = "600",
            },
        });
        using var client = server.CreateClient(server.BootstrapToken);
        using var research = AnswerHold.About(server.Simulator, "(task one)");
        var ids = new List<Guid>();
        for (var i = 0; i < Runs; i++)
        {
            ids.Add(await client.KickoffAsync(new JsonObject { ["topic"] = $"locked {i}" }));
        }

        await Eventually.Until(() => research.Calls >= Runs, "every run reached its first task");

        using (OutageCalls.HoldWriteLock(DatabasePath))
        {
            // Every run now has a task result to store, and the file is locked.
            research.Release();
            var (status, text) = await Eventually.Until(client.ReadinessAsync, r => r.Status != HttpStatusCode.OK, "/readyz never noticed the lock");
            status.ShouldBe(HttpStatusCode.ServiceUnavailable, text);
            text.ShouldContain("busy");

            using var refused = await client.PostKickoffAsync(new JsonObject { ["inputs"] = new JsonObject { ["topic"] = "refused" } });
            var (kickoffStatus, body) = await refused.ReadJsonAsync();
            kickoffStatus.ShouldBe(HttpStatusCode.ServiceUnavailable, body.ToJsonString());
            refused.Headers.RetryAfter.ShouldNotBeNull();
            body["message"]!.GetValue<string>().ShouldContain("busy");
        }

        foreach (var id in ids)
        {
            var done = await client.WaitForFinishAsync(id, timeout: Eventually.DefaultLimit);
            done.Is("completed").ShouldBeTrue(done.ToJsonString());
        }

        OutageCalls.Count(DatabasePath, "SELECT count(*) FROM runs").ShouldBe(Runs, "the refused kickoff must store nothing");
        OutageCalls.Count(DatabasePath, "SELECT count(*) FROM run_events WHERE type = 'task_started'").ShouldBe(2 * Runs, "no task ran twice");
        OutageCalls.Count(DatabasePath, "SELECT count(*) FROM task_results").ShouldBe(2 * Runs);
        await Eventually.Until(async () => (await client.ReadinessAsync()).Status == HttpStatusCode.OK, "/readyz never recovered");
    }

    [Fact]
    public async Task ACorruptRunsTable_MakesReadinessSayCorrupt_AndRequestsAnswer503()
    {
        Guid id;
        await using (var first = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?> { ["Muster:Storage:ConnectionString"] = $"Data Source={DatabasePath}" },
        }))
        {
            using var client = first.CreateClient(first.BootstrapToken);
            id = await client.KickoffAsync(new JsonObject { ["topic"] = "soon corrupt" });
            (await client.WaitForFinishAsync(id)).Is("completed").ShouldBeTrue();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        CorruptRootPageOf("runs");
        await using var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?> { ["Muster:Storage:ConnectionString"] = $"Data Source={DatabasePath}" },
        });
        using var again = server.CreateClient(server.BootstrapToken);

        var (status, text) = await again.ReadinessAsync();
        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        text.ShouldContain("corrupt");

        using var read = await again.GetAsync($"/status/{id}");
        var (readStatus, body) = await read.ReadJsonAsync();
        readStatus.ShouldBe(HttpStatusCode.ServiceUnavailable, body.ToJsonString());
        body["message"]!.GetValue<string>().ShouldContain("corrupt");
        read.Headers.RetryAfter.ShouldNotBeNull();
    }

    /// <summary>Overwrites the root page of <paramref name="table"/> with garbage, as a bad disk or a stray write would.</summary>
    private void CorruptRootPageOf(string table)
    {
        OutageCalls.Count(DatabasePath, "PRAGMA wal_checkpoint(TRUNCATE)");
        var page = OutageCalls.Count(DatabasePath, $"SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = '{table}'");
        var pageSize = OutageCalls.Count(DatabasePath, "PRAGMA page_size");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using var file = new FileStream(DatabasePath, FileMode.Open, FileAccess.Write);
        file.Position = (page - 1) * pageSize;
        file.Write(Enumerable.Repeat((byte)0xA5, (int)pageSize).ToArray());
    }
}
