using Dapper;

namespace Muster.Storage.Sql;

public abstract partial class SqlRunStore : IRunTelemetryStore
{
    /// <inheritdoc/>
    public Task<WaitingRuns> CountWaitingRunsAsync(CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            var counts = await connection.QueryAsync<(string State, long Count)>(new CommandDefinition(
                $"SELECT state, COUNT(*) FROM runs WHERE state IN ('{RunStates.Pending}', '{RunStates.AwaitingHuman}') GROUP BY state",
                cancellationToken: cancellationToken));
            var byState = counts.ToDictionary(row => row.State, row => row.Count, StringComparer.Ordinal);
            return new WaitingRuns(byState.GetValueOrDefault(RunStates.Pending), byState.GetValueOrDefault(RunStates.AwaitingHuman));
        }, cancellationToken);

    /// <inheritdoc/>
    public Task<string?> GetTraceParentAsync(Guid runId, CancellationToken cancellationToken) =>
        ReadAsync(connection => connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT trace_parent FROM runs WHERE id = @Id", new { Id = runId.ToString() }, cancellationToken: cancellationToken)), cancellationToken);
}
