using Dapper;

namespace Muster.Storage.Sql;

public abstract partial class SqlRunStore
{
    public Task CreateTokenAsync(TokenRecord token, CancellationToken cancellationToken) =>
        InTransactionAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO tokens (id, hash, kind, user_id, crews, name, manage_tokens, status_shape, created_at, revoked_at, " +
            "max_tokens_per_day, max_cost_nanos_per_day, max_tokens_per_month, max_cost_nanos_per_month) " +
            "VALUES (@Id, @Hash, @Kind, @UserId, @Crews, @Name, @ManageTokens, @StatusShape, @CreatedAt, @RevokedAt, " +
            "@MaxTokensPerDay, @MaxCostNanosPerDay, @MaxTokensPerMonth, @MaxCostNanosPerMonth)",
            new
            {
                token.Id,
                token.Hash,
                Kind = token.Kind == TokenKind.User ? "user" : "organization",
                token.UserId,
                Crews = StoreJson.Write(token.Crews),
                token.Name,
                token.ManageTokens,
                StatusShape = StatusShapes.Write(token.StatusShape),
                CreatedAt = StoreTime.ToMs(token.CreatedAt),
                RevokedAt = StoreTime.ToMs(token.RevokedAt),
                token.Limits?.MaxTokensPerDay,
                MaxCostNanosPerDay = Nanos.From(token.Limits?.MaxCostUsdPerDay),
                token.Limits?.MaxTokensPerMonth,
                MaxCostNanosPerMonth = Nanos.From(token.Limits?.MaxCostUsdPerMonth),
            },
            transaction, cancellationToken: cancellationToken)), cancellationToken);

    public async Task<TokenRecord?> FindTokenByHashAsync(string hash, CancellationToken cancellationToken)
    {
        var row = await ReadAsync(connection => connection.QueryFirstOrDefaultAsync<TokenRow>(new CommandDefinition(
            $"SELECT {TokenRow.Columns} FROM tokens WHERE hash = @Hash", new { Hash = hash }, cancellationToken: cancellationToken)), cancellationToken);
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<TokenRecord>> ListTokensAsync(CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(connection => connection.QueryAsync<TokenRow>(new CommandDefinition(
            $"SELECT {TokenRow.Columns} FROM tokens ORDER BY created_at, id", cancellationToken: cancellationToken)), cancellationToken);
        return [.. rows.Select(r => r.ToRecord())];
    }

    public Task<bool> RevokeTokenAsync(string tokenId, DateTimeOffset now, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) => await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE tokens SET revoked_at = @Now WHERE id = @Id AND revoked_at IS NULL",
            new { Id = tokenId, Now = StoreTime.ToMs(now) }, transaction, cancellationToken: cancellationToken)) == 1, cancellationToken);

    public async Task<TokenSpend> GetTokenSpendAsync(string tokenId, DateTimeOffset dayStart, DateTimeOffset monthStart, CancellationToken cancellationToken)
    {
        // One pass: the day lies within its month, so the earlier bound reads both windows. CAST: PostgreSQL sums BIGINTs as numeric.
        var since = dayStart < monthStart ? dayStart : monthStart;
        var row = await ReadAsync(connection => connection.QuerySingleAsync<TokenSpendRow>(new CommandDefinition(
            "SELECT " +
            "CAST(COALESCE(SUM(CASE WHEN created_at >= @Day THEN spent_tokens ELSE 0 END), 0) AS BIGINT) AS DayTokens, " +
            "CAST(COALESCE(SUM(CASE WHEN created_at >= @Day THEN spent_cost_nanos ELSE 0 END), 0) AS BIGINT) AS DayCostNanos, " +
            "CAST(COALESCE(SUM(CASE WHEN created_at >= @Month THEN spent_tokens ELSE 0 END), 0) AS BIGINT) AS MonthTokens, " +
            "CAST(COALESCE(SUM(CASE WHEN created_at >= @Month THEN spent_cost_nanos ELSE 0 END), 0) AS BIGINT) AS MonthCostNanos " +
            "FROM runs WHERE token_id = @TokenId AND created_at >= @Since",
            new { TokenId = tokenId, Day = StoreTime.ToMs(dayStart), Month = StoreTime.ToMs(monthStart), Since = StoreTime.ToMs(since) },
            cancellationToken: cancellationToken)), cancellationToken);
        return new TokenSpend(row.DayTokens, Nanos.ToUsd(row.DayCostNanos)!.Value, row.MonthTokens, Nanos.ToUsd(row.MonthCostNanos)!.Value);
    }

    public Task<bool> ReplaceTokenIdAsync(string oldId, string newId, CancellationToken cancellationToken) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            // The token first: a node that lost the race finds no row here and leaves the runs alone.
            var renamed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE tokens SET id = @NewId WHERE id = @OldId",
                new { OldId = oldId, NewId = newId }, transaction, cancellationToken: cancellationToken));
            if (renamed == 0)
            {
                return false;
            }

            var parameters = new { OldId = oldId, NewId = newId, OldOwner = "org:" + oldId, NewOwner = "org:" + newId };
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE runs SET owner_id = @NewOwner WHERE owner_id = @OldOwner", parameters, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE runs SET token_id = @NewId WHERE token_id = @OldId", parameters, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE runs SET error = REPLACE(error, @OldOwner, @NewOwner) WHERE error LIKE '%' || @OldOwner || '%'",
                parameters, transaction, cancellationToken: cancellationToken));
            return true;
        }, cancellationToken);
}

/// <summary>How a token's <see cref="StatusShape"/> is kept in its text column: <c>documented</c>, <c>live</c>, or null.</summary>
internal static class StatusShapes
{
    public static string? Write(StatusShape? shape) => shape switch
    {
        StatusShape.Documented => "documented",
        StatusShape.Live => "live",
        _ => null,
    };

    public static StatusShape? Read(string? value) => value switch
    {
        "documented" => StatusShape.Documented,
        "live" => StatusShape.Live,
        _ => null,
    };
}

internal sealed class TokenSpendRow
{
    public long DayTokens { get; set; }
    public long DayCostNanos { get; set; }
    public long MonthTokens { get; set; }
    public long MonthCostNanos { get; set; }
}
