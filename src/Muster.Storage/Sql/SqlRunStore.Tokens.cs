using Dapper;

namespace Muster.Storage.Sql;

public abstract partial class SqlRunStore
{
    public Task CreateTokenAsync(TokenRecord token, CancellationToken cancellationToken) =>
        InTransactionAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO tokens (id, hash, kind, user_id, crews, name, manage_tokens, status_shape, created_at, revoked_at) " +
            "VALUES (@Id, @Hash, @Kind, @UserId, @Crews, @Name, @ManageTokens, @StatusShape, @CreatedAt, @RevokedAt)",
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
