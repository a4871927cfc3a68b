using System.Text.Json.Nodes;
using Muster.Contracts;
using Muster.Core.Crews;
using Muster.Storage;
using Muster.Storage.Sqlite;

namespace Muster.Bench.Micro;

/// <summary>
/// What the store benchmarks start from: a SQLite run store in a folder of its own, an organization token, and one run of
/// <c>crew</c> claimed by node <c>bench</c>. Disposing it closes the store and deletes the folder.
/// </summary>
internal sealed class MicroStore : IDisposable
{
    /// <summary>The stored hash of the token the run belongs to.</summary>
    public const string TokenHash = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    private readonly string _folder;

    private MicroStore(string folder, SqliteRunStore store, RunRecord run)
    {
        _folder = folder;
        Store = store;
        Run = run;
    }

    public SqliteRunStore Store { get; }

    /// <summary>The run as its claim left it.</summary>
    public RunRecord Run { get; }

    /// <summary>
    /// A store with one claimed run of <paramref name="crew"/>, kicked off with <c>topic</c> "tidal energy" at
    /// <paramref name="now"/>; on tmpfs when <paramref name="onTmpfs"/> and the machine has one.
    /// </summary>
    public static async Task<MicroStore> CreateAsync(CrewDefinition crew, DateTimeOffset now, bool onTmpfs = false)
    {
        var folder = onTmpfs && Directory.Exists("/dev/shm")
            ? Directory.CreateDirectory(Path.Combine("/dev/shm", "muster-micro-" + Guid.NewGuid().ToString("N"))).FullName
            : Directory.CreateTempSubdirectory("muster-micro-").FullName;
        var store = new SqliteRunStore($"Data Source={Path.Combine(folder, "muster.db")}", TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        await store.CreateTokenAsync(new TokenRecord { Id = "tok_bench", Hash = TokenHash, Kind = TokenKind.Organization, CreatedAt = now }, CancellationToken.None);
        await store.CreateRunAsync(new NewRun
        {
            Id = Guid.CreateVersion7(),
            CrewName = crew.Name,
            Crew = crew,
            Inputs = new JsonObject { ["topic"] = "tidal energy" },
            OwnerId = "org:tok_bench",
            TokenId = "tok_bench",
            CorrelationId = "bench",
            Webhooks = new WebhookSettings(),
            CreatedAt = now,
        }, CancellationToken.None);
        var run = await store.TryClaimRunAsync("bench", now, TimeSpan.FromDays(1), CancellationToken.None)
            ?? throw new InvalidOperationException("The benchmark's run could not be claimed.");
        return new MicroStore(folder, store, run);
    }

    public void Dispose()
    {
        Store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
