using System.Text;
using Microsoft.Data.Sqlite;

namespace Muster.Server.Tests;

/// <summary>
/// What one run takes in a SQLite store, in UTF-8 bytes of its text columns: its row, the crew snapshot it refers to (when
/// the schema keeps snapshots apart), its events and its task results. Read column by column, so it measures any version
/// of the schema the same way.
/// </summary>
internal sealed record RunFootprint(long RunRow, long Snapshot, long Events, long TaskResults, long EventCount)
{
    public long Total => RunRow + Snapshot + Events + TaskResults;

    public static async Task<RunFootprint> MeasureAsync(string databasePath, Guid runId)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        var id = runId.ToString();
        var (runRow, _) = await SumAsync(connection, "SELECT * FROM runs WHERE id = $id", id);
        var snapshot = 0L;
        if (await HasAsync(connection, "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'crew_version'"))
        {
            (snapshot, _) = await SumAsync(connection, "SELECT s.* FROM crew_snapshots s JOIN runs r ON r.crew_version = s.id WHERE r.id = $id", id);
        }

        var (events, count) = await SumAsync(connection, "SELECT * FROM run_events WHERE run_id = $id", id);
        var (results, _) = await SumAsync(connection, "SELECT * FROM task_results WHERE run_id = $id", id);
        return new RunFootprint(runRow, snapshot, events, results, count);
    }

    public override string ToString() =>
        $"run row {RunRow:N0} B, crew snapshot {Snapshot:N0} B, {EventCount} events {Events:N0} B, task results {TaskResults:N0} B, total {Total:N0} B";

    private static async Task<bool> HasAsync(SqliteConnection connection, string sql)
    {
        await using var command = new SqliteCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    private static async Task<(long Bytes, long Rows)> SumAsync(SqliteConnection connection, string sql, string id)
    {
        await using var command = new SqliteCommand(sql, connection);
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync();
        var (bytes, rows) = (0L, 0L);
        while (await reader.ReadAsync())
        {
            rows++;
            for (var i = 0; i < reader.FieldCount; i++)
            {
                // Numbers take at most 8 bytes; text is counted as stored (UTF-8).
                bytes += reader.IsDBNull(i) ? 0 : reader.GetValue(i) is string text ? Encoding.UTF8.GetByteCount(text) : 8;
            }
        }

        return (bytes, rows);
    }
}
