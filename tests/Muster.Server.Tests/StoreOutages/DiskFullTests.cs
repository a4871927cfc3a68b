using System.Net;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Server.Tests.StoreOutages;

/// <summary>
/// A server whose SQLite file sits on a disk that fills up: writes answer 507 saying the disk is full, <c>/readyz</c> says
/// so, and runs that could not store their results go on as soon as space returns (not after their lease lapses).
/// </summary>
public sealed class DiskFullTests
{
    private const int Runs = 3;

    [TinyDiskFact]
    public async Task AFullDisk_Answers507_ReadinessSaysFull_AndRunsGoOnOnceSpaceReturns()
    {
        using var disk = TinyDisk.Mount(megabytes: 4);
        var database = Path.Combine(disk.Path, "muster.db");
        var ids = new List<Guid>();
        await using (var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            Settings = new Dictionary<string, string?>
            {
                ["Muster:Storage:ConnectionString"] = $"Data Source={database}",
                // Only the runs' own retries can finish them while the test waits, not a lapsed lease.
                ["Muster:Execution:LeaseSeconds"] = "600",
            },
        }))
        {
            using var client = server.CreateClient(server.BootstrapToken);
            using var research = AnswerHold.About(server.Simulator, "(task one)");
            for (var i = 0; i < Runs; i++)
            {
                ids.Add(await client.KickoffAsync(new JsonObject { ["topic"] = $"full {i}" }));
            }

            await Eventually.Until(() => research.Calls >= Runs, "every run reached its first task");
            disk.Fill();
            research.Release();

            // Kickoffs that still fit in space the file already has are stored (and run later); the disk soon refuses one.
            var (status, body, retryAfter) = await Eventually.Until(
                async () =>
                {
                    using var response = await client.PostKickoffAsync(new JsonObject { ["inputs"] = new JsonObject { ["topic"] = "no room" } });
                    var (code, json) = await response.ReadJsonAsync();
                    if (code == HttpStatusCode.OK)
                    {
                        ids.Add(Guid.Parse(json["kickoff_id"]!.GetValue<string>()));
                    }

                    return (code, json, response.Headers.RetryAfter);
                },
                r => r.code != HttpStatusCode.OK,
                "the full disk never refused a kickoff");
            status.ShouldBe(HttpStatusCode.InsufficientStorage, body.ToJsonString());
            body["message"]!.GetValue<string>().ShouldContain("disk");
            body["message"]!.GetValue<string>().ShouldContain("full");
            retryAfter.ShouldNotBeNull();
            // Writes that still fit in the file's free pages succeed meanwhile, so readiness follows the latest outcome:
            // wait for the failing writes (the runs' retries) to be reported, rather than read it once.
            var (_, text) = await Eventually.Until(
                () => client.ReadinessAsync(), r => r.Status == HttpStatusCode.ServiceUnavailable, "/readyz never reported the full disk");
            text.ShouldContain("full");

            disk.Free();

            foreach (var id in ids)
            {
                var done = await client.WaitForFinishAsync(id, timeout: Eventually.DefaultLimit);
                done.Is("completed").ShouldBeTrue(done.ToJsonString());
            }

            await Eventually.Until(async () => (await client.ReadinessAsync()).Status == HttpStatusCode.OK, "/readyz never recovered");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        OutageCalls.Count(database, "SELECT count(*) FROM run_events WHERE type = 'task_started'").ShouldBe(2 * ids.Count, "no task ran twice");
    }
}
