using System.Globalization;
using Dapper;

namespace Muster.Storage.Sql;

public abstract partial class SqlRunStore
{
    private const long MsPerDay = 86_400_000;

    // The statement is the same on both providers: the calls' event rows hold plain integers (read through the partial index
    // on their time, whose condition `model IS NOT NULL` the WHERE repeats), a UTC day is the call's unix
    // milliseconds divided by a day's (integer division on both), and a group's cost is known only when every call's is.
    public async Task<IReadOnlyList<UsageGroup>> GetUsageAsync(UsageQuery query, CancellationToken cancellationToken)
    {
        var key = query.GroupBy switch
        {
            UsageGrouping.Crew => "r.crew_name",
            UsageGrouping.Model => "c.model",
            UsageGrouping.Owner => "r.owner_id",
            UsageGrouping.Day => $"CAST(c.ts / {MsPerDay} AS TEXT)",
            _ => throw new ArgumentOutOfRangeException(nameof(query), query.GroupBy, "Not a usage grouping."),
        };
        var where = new List<string> { "c.model IS NOT NULL", "c.ts >= @From", "c.ts < @To" };
        var parameters = new DynamicParameters();
        parameters.Add("From", StoreTime.ToMs(query.From));
        parameters.Add("To", StoreTime.ToMs(query.To));
        AddFilter(where, parameters, "r.owner_id = @OwnerId", "OwnerId", query.OwnerId);
        if (query.Crews is { Count: > 0 } crews)
        {
            where.Add("r.ad_hoc = FALSE AND r.crew_name " + AnyOf("@Crews"));
            parameters.Add("Crews", crews.ToArray());
        }

        var sql = $"""
            SELECT {key} AS Key, CAST(SUM(c.prompt_tokens) AS BIGINT) AS PromptTokens,
                CAST(SUM(c.completion_tokens) AS BIGINT) AS CompletionTokens, CAST(COUNT(*) AS BIGINT) AS LlmCalls,
                CAST(CASE WHEN COUNT(c.cost_nanos) = COUNT(*) THEN SUM(c.cost_nanos) END AS BIGINT) AS CostNanos
            FROM run_events c JOIN runs r ON r.id = c.run_id
            WHERE {string.Join(" AND ", where)}
            GROUP BY {key}
            """;
        var rows = await ReadAsync(async connection =>
            (await connection.QueryAsync<UsageRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).ToList(),
            cancellationToken);
        // Sorted here, not in SQL: PostgreSQL orders text by its collation, SQLite by bytes.
        return query.GroupBy == UsageGrouping.Day
            ? [.. rows.Select(r => r.ToGroup(Day(r.Key))).OrderBy(g => g.Key, StringComparer.Ordinal)]
            : [.. rows.Select(r => r.ToGroup(r.Key)).OrderBy(g => g.Key, StringComparer.Ordinal)];
    }

    private static string Day(string daysSinceEpoch) =>
        StoreTime.FromMs(long.Parse(daysSinceEpoch, CultureInfo.InvariantCulture) * MsPerDay).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // SUM of a BIGINT is a NUMERIC on PostgreSQL: the statement casts each sum back, so both providers read longs.
    private sealed class UsageRow
    {
        public string Key { get; set; } = "";
        public long PromptTokens { get; set; }
        public long CompletionTokens { get; set; }
        public long LlmCalls { get; set; }
        public long? CostNanos { get; set; }

        public UsageGroup ToGroup(string key) => new(key, PromptTokens, CompletionTokens, LlmCalls, Nanos.ToUsd(CostNanos));
    }
}
