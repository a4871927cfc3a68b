using Dapper;
using Muster.Storage.Sqlite;

namespace Muster.Storage.Tests;

/// <summary>The SQLite connection that keeps statements prepared across Dapper calls.</summary>
public sealed class PreparedSqliteConnectionTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("muster-prepared-").FullName;
    private PreparedSqliteConnection _connection = null!;

    public async Task InitializeAsync()
    {
        _connection = new PreparedSqliteConnection($"Data Source={Path.Combine(_folder, "t.db")};Pooling=False");
        await _connection.OpenAsync();
        await _connection.ExecuteAsync("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
        await _connection.ExecuteAsync("INSERT INTO items (id, name) VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task RepeatedQueries_PrepareTheirTextOnce_AndBindEachCallsValues()
    {
        var before = _connection.Prepared;

        var names = new List<string>();
        foreach (var id in new[] { 1, 2, 3, 2 })
        {
            names.Add(await _connection.QuerySingleAsync<string>("SELECT name FROM items WHERE id = @Id", new { Id = id }));
        }

        names.ShouldBe(["one", "two", "three", "two"]);
        (_connection.Prepared - before).ShouldBe(1);
    }

    [Fact]
    public async Task ListParameters_ThatDapperExpands_BindEveryValue()
    {
        var two = await _connection.QueryAsync<string>("SELECT name FROM items WHERE id IN @Ids ORDER BY id", new { Ids = new[] { 1, 3 } });
        var three = await _connection.QueryAsync<string>("SELECT name FROM items WHERE id IN @Ids ORDER BY id", new { Ids = new[] { 1, 2, 3 } });
        var twoAgain = await _connection.QueryAsync<string>("SELECT name FROM items WHERE id IN @Ids ORDER BY id", new { Ids = new[] { 2, 3 } });

        two.ShouldBe(["one", "three"]);
        three.ShouldBe(["one", "two", "three"]);
        twoAgain.ShouldBe(["two", "three"]);
    }

    [Fact]
    public async Task TheSameText_WhileItsCommandIsInUse_GetsACommandOfItsOwn()
    {
        const string sql = "SELECT name FROM items WHERE id = @Id";
        await using var outer = _connection.CreateCommand();
        outer.CommandText = sql;
        var outerId = outer.CreateParameter();
        outerId.ParameterName = "@Id";
        outerId.Value = 1;
        outer.Parameters.Add(outerId);
        await using var reader = await outer.ExecuteReaderAsync();

        var inner = await _connection.QuerySingleAsync<string>(sql, new { Id = 2 });

        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetString(0).ShouldBe("one");
        inner.ShouldBe("two");
    }

    [Fact]
    public async Task FailedStatements_LeaveTheCommandUsable()
    {
        await Should.ThrowAsync<Microsoft.Data.Sqlite.SqliteException>(
            () => _connection.ExecuteAsync("INSERT INTO items (id, name) VALUES (@Id, @Name)", new { Id = 1, Name = "duplicate" }));

        await _connection.ExecuteAsync("INSERT INTO items (id, name) VALUES (@Id, @Name)", new { Id = 4, Name = "four" });

        (await _connection.QuerySingleAsync<string>("SELECT name FROM items WHERE id = 4")).ShouldBe("four");
    }

    [Fact]
    public async Task DistinctTexts_BeyondTheCapacity_AreEvictedAndStillAnswer()
    {
        for (var i = 0; i < PreparedSqliteConnection.Capacity + 10; i++)
        {
            (await _connection.QuerySingleAsync<long>($"SELECT {i} + id FROM items WHERE id = @Id", new { Id = 1 })).ShouldBe(i + 1);
        }

        var before = _connection.Prepared;
        // The oldest text was evicted: using it again prepares it anew and still answers.
        (await _connection.QuerySingleAsync<long>("SELECT 0 + id FROM items WHERE id = @Id", new { Id = 2 })).ShouldBe(2);
        (_connection.Prepared - before).ShouldBe(1);
    }

    [Fact]
    public async Task BareParameterNames_AreBoundUnderTheNameTheSqlUses()
    {
        // As Dapper does: through DbConnection (SqliteConnection.CreateCommand hides it with a plain SqliteCommand).
        await using var command = ((System.Data.Common.DbConnection)_connection).CreateCommand();
        command.CommandText = "SELECT name FROM items WHERE id = @Id";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "Id";
        parameter.Value = 3;
        command.Parameters.Add(parameter);

        (await command.ExecuteScalarAsync()).ShouldBe("three");
        // Named as the SQL writes it, Microsoft.Data.Sqlite finds it at the first look-up instead of trying each prefix.
        command.Parameters[0].ParameterName.ShouldBe("@Id");
    }

    [Theory]
    [InlineData("SELECT name FROM items WHERE id = :Id")]
    [InlineData("SELECT name FROM items WHERE id = $Id")]
    [InlineData("SELECT name FROM items WHERE id = @Id")]
    [InlineData("SELECT name FROM items WHERE id = @Id OR id = @Ids")]
    public async Task EveryParameterPrefix_StillBinds(string sql)
    {
        (await _connection.QuerySingleAsync<string>(sql, new { Id = 2, Ids = 2 })).ShouldBe("two");
    }
}
