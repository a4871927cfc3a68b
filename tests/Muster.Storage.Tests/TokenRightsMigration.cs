using System.Data.Common;
using Dapper;
using Muster.Storage.Sql;
using static Muster.Storage.Tests.StoreData;

namespace Muster.Storage.Tests;

/// <summary>
/// Schema version 3 on a store that has tokens from version 2: organization tokens that covered every crew keep token
/// management (they had it), crew-limited ones and user tokens lose it, and no token has a status shape.
/// </summary>
internal static class TokenRightsMigration
{
    public static async Task CheckAsync(DbConnection connection, string identity, SqlRunStore store)
    {
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Schema.MigrateAsync(connection, transaction, [.. Schema.Migrations(identity).Take(2)], T0, CancellationToken.None);
            foreach (var (id, kind, user, crews) in new[]
            {
                ("tok_admin", "organization", (string?)null, "[]"),
                ("tok_limited", "organization", null, "[\"research\"]"),
                ("tok_user", "user", "alice", "[]"),
            })
            {
                await connection.ExecuteAsync(
                    "INSERT INTO tokens (id, hash, kind, user_id, crews, name, created_at, revoked_at) VALUES (@Id, @Hash, @Kind, @User, @Crews, NULL, 0, NULL)",
                    new { Id = id, Hash = "hash-" + id, Kind = kind, User = user, Crews = crews }, transaction);
            }

            await transaction.CommitAsync();
        }

        await store.InitializeAsync(CancellationToken.None);

        var tokens = (await store.ListTokensAsync(CancellationToken.None)).ToDictionary(t => t.Id);
        tokens["tok_admin"].ManageTokens.ShouldBeTrue();
        tokens["tok_limited"].ManageTokens.ShouldBeFalse();
        tokens["tok_user"].ManageTokens.ShouldBeFalse();
        tokens.Values.ShouldAllBe(t => t.StatusShape == null);
    }
}
