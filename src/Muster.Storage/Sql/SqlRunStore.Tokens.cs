using Dapper;

namespace Muster.Storage.Sql;

public abstract partial class SqlRunStore
{
    public Task CreateTokenAsync(TokenRecord token, CancellationToken cancellationToken) =>
        InTransactionAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO tokens (id, hash, kind, user_id, crews, name, created_at, revoked_at) " +
            "VALUES (@Id, @Hash, @Kind, @UserId, @Crews, @Name, @CreatedAt, @RevokedAt)",
            new
            {
                token.Id,
                token.Hash,
                Kind = token.Kind == TokenKind.User ? "user" : "organization",
                token.UserId,
                Crews = StoreJson.Write(token.Crews),
                token.Name,
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
}
