using System.Data.Common;
using Dapper;
using Muster.Core.Crews;

namespace Muster.Storage.Sql;

/// <summary>Crew snapshots kept once per version, and the inputs kept out of what runs store (<see cref="InputTexts"/>).</summary>
public abstract partial class SqlRunStore
{
    // A kickoff records the use of its snapshot (last_used_at) when the last record is older than this, and a node that
    // recorded one skips the statement for as long. Snapshots no run refers to are deleted once no use was recorded for
    // twice as long, so a kickoff in flight never loses the snapshot its run refers to (nodes' clocks may differ by less).
    private static readonly TimeSpan SnapshotUseInterval = TimeSpan.FromHours(1);
    private static readonly TimeSpan SnapshotGrace = 2 * SnapshotUseInterval;

    private static readonly IReadOnlyDictionary<string, CrewDefinition> NoVersions = new Dictionary<string, CrewDefinition>();

    private protected InputTextsCache Texts { get; } = new();

    /// <summary>
    /// Keeps <paramref name="crew"/> as a version (or records its use); returns the version and the time of a use recorded
    /// now, to be noted once the transaction commits.
    /// </summary>
    private async Task<(string Version, DateTimeOffset? UsedAt)> KeepCrewAsync(DbConnection connection, DbTransaction transaction, CrewDefinition crew, CancellationToken cancellationToken)
    {
        var (version, json) = Crews.Write(crew);
        var now = Time.GetUtcNow();
        if (Crews.UsedSince(version, now - SnapshotUseInterval))
        {
            return (version, null);
        }

        // The update also locks the row, so that a sweep deleting it waits for this kickoff and then sees it used.
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO crew_snapshots (id, crew, last_used_at) VALUES (@Version, @Json, @Now) " +
            "ON CONFLICT (id) DO UPDATE SET last_used_at = @Now WHERE crew_snapshots.last_used_at < @Stale",
            new { Version = version, Json = json, Now = StoreTime.ToMs(now), Stale = StoreTime.ToMs(now - SnapshotUseInterval) },
            transaction, cancellationToken: cancellationToken));
        return (version, now);
    }

    /// <summary>
    /// Deletes the snapshots (only <paramref name="version"/>'s, when given) that no run refers to and no kickoff used in the
    /// last two hours. A snapshot left behind by a run deleted sooner goes with the next purge.
    /// </summary>
    private async Task DeleteUnusedSnapshotsAsync(DbConnection connection, DbTransaction transaction, string? version, CancellationToken cancellationToken)
    {
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM crew_snapshots WHERE last_used_at < @Cutoff" + (version is null ? "" : " AND id = @Version") +
            " AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.crew_version = crew_snapshots.id)",
            new { Cutoff = StoreTime.ToMs(Time.GetUtcNow() - SnapshotGrace), Version = version },
            transaction, cancellationToken: cancellationToken));
        if (deleted > 0)
        {
            // This node's notes of recent uses no longer say the rows exist.
            Crews.ForgetUses();
        }
    }

    /// <summary>The records of <paramref name="rows"/>, with the crew versions they refer to read where not known yet.</summary>
    private async Task<List<RunRecord>> ToRecordsAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyCollection<RunRow> rows, CancellationToken cancellationToken)
    {
        Dictionary<string, CrewDefinition>? versions = null;
        List<string>? missing = null;
        foreach (var version in rows.Select(r => r.CrewVersion).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            versions ??= new Dictionary<string, CrewDefinition>(StringComparer.Ordinal);
            if (Crews.TryGetVersion(version, out var known))
            {
                versions[version] = known;
            }
            else
            {
                (missing ??= []).Add(version);
            }
        }

        if (missing is not null)
        {
            var found = await connection.QueryAsync<(string Id, string Crew)>(new CommandDefinition(
                $"SELECT id, crew FROM crew_snapshots WHERE id {AnyOf("@Ids")}", new { Ids = missing.ToArray() },
                transaction, cancellationToken: cancellationToken));
            foreach (var (id, crew) in found)
            {
                versions![id] = Crews.AddVersion(id, crew);
            }
        }

        return [.. rows.Select(row => row.ToRecord(Crews, versions ?? NoVersions))];
    }

    /// <summary>The long inputs of a run, from this node's cache or read from its row; null when the run is gone.</summary>
    private async Task<InputTexts?> InputTextsAsync(DbConnection connection, DbTransaction? transaction, string runId, CancellationToken cancellationToken)
    {
        if (Texts.TryGet(runId, out var texts))
        {
            return texts;
        }

        var inputs = await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(
            "SELECT inputs FROM runs WHERE id = @Id", new { Id = runId }, transaction, cancellationToken: cancellationToken));
        return inputs is null ? null : Texts.Remember(runId, inputs);
    }
}
