using Muster.Storage.Postgres;
using Npgsql;

namespace Muster.Storage.Tests;

/// <summary>The PostgreSQL store turns on Npgsql's automatic preparation unless the connection string decides.</summary>
public sealed class PostgresAutoPrepareTests
{
    [Fact]
    public void AConnectionStringWithoutASetting_GetsAutomaticPreparation()
    {
        var result = new NpgsqlConnectionStringBuilder(PostgresRunStore.WithAutoPrepare("Host=127.0.0.1;Database=muster;Username=muster"));

        result.MaxAutoPrepare.ShouldBe(PostgresRunStore.DefaultMaxAutoPrepare);
        result.Host.ShouldBe("127.0.0.1");
        result.Database.ShouldBe("muster");
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;max auto prepare=10", 10)]
    [InlineData("Host=db;MaxAutoPrepare=5", 5)]
    public void AnExplicitSetting_IsKept(string connectionString, int expected)
    {
        var result = PostgresRunStore.WithAutoPrepare(connectionString);

        result.ShouldBe(connectionString);
        new NpgsqlConnectionStringBuilder(result).MaxAutoPrepare.ShouldBe(expected);
    }
}
