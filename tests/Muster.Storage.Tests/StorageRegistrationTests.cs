using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Muster.Storage.Postgres;
using Muster.Storage.Sqlite;

namespace Muster.Storage.Tests;

public sealed class StorageRegistrationTests
{
    private static ServiceProvider Build(params (string Key, string Value)[] settings)
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return new ServiceCollection().AddMusterStorage(section).BuildServiceProvider();
    }

    [Fact]
    public void AddMusterStorage_ByDefault_ServesAllThreeContractsFromOneSqliteStore()
    {
        using var services = Build();

        var runs = services.GetRequiredService<IRunStore>();
        runs.ShouldBeOfType<SqliteRunStore>();
        services.GetRequiredService<IDeliveryStore>().ShouldBeSameAs(runs);
        services.GetRequiredService<ITokenStore>().ShouldBeSameAs(runs);
    }

    [Fact]
    public void AddMusterStorage_WithPostgresProvider_ServesThePostgresStore()
    {
        using var services = Build(("Provider", "postgres"), ("ConnectionString", "Host=127.0.0.1;Database=muster"));

        services.GetRequiredService<IRunStore>().ShouldBeOfType<PostgresRunStore>();
    }

    [Fact]
    public void AddMusterStorage_WithPostgresButNoConnectionString_FailsNamingTheSetting()
    {
        var error = Should.Throw<InvalidOperationException>(() => Build(("Provider", "postgres")));

        error.Message.ShouldContain("Muster:Storage:ConnectionString is not set");
        error.Message.ShouldContain("Host=");
    }

    [Fact]
    public void AddMusterStorage_WithPostgresAndASqliteConnectionString_FailsWithoutEchoingIt()
    {
        var error = Should.Throw<InvalidOperationException>(() => Build(("Provider", "PostgreSQL"), ("ConnectionString", "Filename=muster.db;Secret=hunter2")));

        error.Message.ShouldContain("not a valid Npgsql connection string");
        error.Message.ShouldNotContain("hunter2");
    }

    [Fact]
    public void AddMusterStorage_WithUnknownProvider_FailsNamingTheChoices()
    {
        var error = Should.Throw<InvalidOperationException>(() => Build(("Provider", "mysql")));

        error.Message.ShouldContain("'mysql'");
        error.Message.ShouldContain("sqlite");
        error.Message.ShouldContain("postgres");
    }

    [Fact]
    public void SqliteRunStore_WithInMemoryDatabase_IsRefused() =>
        Should.Throw<ArgumentException>(() => new SqliteRunStore("Data Source=:memory:", TimeProvider.System));

    [Fact]
    public async Task SqliteRunStore_Initialize_TurnsOnWriteAheadLogging()
    {
        var folder = Directory.CreateTempSubdirectory("muster-store-");
        var path = Path.Combine(folder.FullName, "nested", "muster.db");
        using (var store = new SqliteRunStore($"Data Source={path}", TimeProvider.System))
        {
            await store.InitializeAsync(CancellationToken.None);
        }

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            ((string?)await command.ExecuteScalarAsync()).ShouldBe("wal");
        }

        folder.Delete(recursive: true);
    }
}
