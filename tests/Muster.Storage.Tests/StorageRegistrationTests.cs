using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Muster.Storage.Notifications;
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
        return new ServiceCollection().AddMusterStorage(section).Services.BuildServiceProvider();
    }

    /// <summary>What resolving the store throws: the options' validation, which a server runs at start.</summary>
    private static string[] Failures(params (string Key, string Value)[] settings)
    {
        using var services = Build(settings);
        return [.. Should.Throw<OptionsValidationException>(() => services.GetRequiredService<IRunStore>()).Failures];
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
    public void AddMusterStorage_WithPostgresProvider_ServesThePostgresStore_SharedByNodes()
    {
        using var services = Build(("Provider", "PostgreSQL"), ("ConnectionString", "Host=127.0.0.1;Database=muster"));

        services.GetRequiredService<IRunStore>().ShouldBeOfType<PostgresRunStore>();
        services.GetRequiredService<StorageTopology>().SharedByNodes.ShouldBeTrue();
        services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider.ShouldBe("PostgreSQL", "the options keep the name as configured");
    }

    [Fact]
    public void AddMusterStorage_WithWrongSettings_RegistersWithoutThrowing_AndFailsWhenTheStoreIsFirstNeeded()
    {
        var services = new ServiceCollection();
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Provider", "mysql"), new("RequestWriteTimeout", "soon")])
            .Build();

        Should.NotThrow(() => services.AddMusterStorage(section));

        using var provider = services.BuildServiceProvider();
        Should.Throw<InvalidOperationException>(() => provider.GetRequiredService<IRunStore>()).Message.ShouldContain("RequestWriteTimeout");
    }

    [Fact]
    public void AddMusterStorage_WithPostgresButNoConnectionString_FailsNamingTheSetting()
    {
        var failure = Failures(("Provider", "postgres")).ShouldHaveSingleItem();

        failure.ShouldContain("Muster:Storage:ConnectionString is not set");
        failure.ShouldContain("Host=");
    }

    [Fact]
    public void AddMusterStorage_WithPostgresAndASqliteConnectionString_FailsWithoutEchoingIt()
    {
        var failure = Failures(("Provider", "PostgreSQL"), ("ConnectionString", "Filename=muster.db;Secret=hunter2")).ShouldHaveSingleItem();

        failure.ShouldContain("not a valid Npgsql connection string");
        failure.ShouldNotContain("hunter2");
    }

    [Fact]
    public void AddMusterStorage_WithUnknownProvider_FailsInTheOptionsValidation_WithTheMessageThatNamesTheChoices()
    {
        var failure = Failures(("Provider", "mysql")).ShouldHaveSingleItem();

        failure.ShouldBe("Unknown Muster:Storage:Provider 'mysql'. Use 'sqlite' (default) or 'postgres'.");
    }

    [Fact]
    public void AddMusterStorage_WithUnknownProvider_FailsTheSameWay_WhicheverServiceIsAskedForFirst()
    {
        using var services = Build(("Provider", "mysql"));

        Should.Throw<OptionsValidationException>(() => services.GetRequiredService<ITokenStore>());
        Should.Throw<OptionsValidationException>(() => services.GetRequiredService<StoreHealth>());
        Should.Throw<OptionsValidationException>(() => services.GetRequiredService<ICacheInvalidations>());
        Should.Throw<OptionsValidationException>(() => services.GetRequiredService<IRunEventSignals>());
        Should.Throw<OptionsValidationException>(() => services.GetRequiredService<StorageTopology>());
        Should.Throw<OptionsValidationException>(() => services.GetRequiredService<IOptions<StorageOptions>>().Value);
    }

    [Theory]
    [InlineData("ConnectionString", "", "Muster:Storage:ConnectionString is empty")]
    [InlineData("RequestWriteTimeout", "00:00:00", "Muster:Storage:RequestWriteTimeout must be positive")]
    public void AddMusterStorage_WithAnEmptyConnectionStringOrNoWriteTimeout_FailsNamingTheSetting(string key, string value, string message) =>
        Failures((key, value)).ShouldHaveSingleItem().ShouldStartWith(message);

    [Fact]
    public void AddMusterStorage_WithoutAProvider_FailsNamingTheCallsToMake()
    {
        using var services = new ServiceCollection().AddMusterStorage().Services.BuildServiceProvider();

        var error = Should.Throw<InvalidOperationException>(() => services.GetRequiredService<IRunStore>());

        error.Message.ShouldContain("UseSqlite()");
        error.Message.ShouldContain("UsePostgres()");
    }

    [Fact]
    public void UsePostgres_WithAConnectionString_ServesThePostgresStore_WithoutConfiguration()
    {
        using var services = new ServiceCollection().AddMusterStorage().UsePostgres("Host=127.0.0.1;Database=muster").Services.BuildServiceProvider();

        services.GetRequiredService<IRunStore>().ShouldBeOfType<PostgresRunStore>();
        services.GetRequiredService<IOptions<StorageOptions>>().Value.SqliteFile().ShouldBeNull("the options say which provider serves");
    }

    [Fact]
    public void ASecondProvider_IsRefused()
    {
        var storage = new ServiceCollection().AddMusterStorage().UseSqlite();

        Should.Throw<InvalidOperationException>(() => storage.UsePostgres("Host=127.0.0.1")).Message.ShouldContain("once");
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
