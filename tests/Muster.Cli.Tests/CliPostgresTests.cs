using System.Text.Json.Nodes;
using Muster.Testing;
using Npgsql;

namespace Muster.Cli.Tests;

/// <summary><c>muster db migrate</c> and <c>muster tokens</c> directly against PostgreSQL, in a schema of the test's own.</summary>
public sealed class CliPostgresTests
{
    [PostgresFact]
    public async Task DbMigrate_ThreeAtOnceOnAnEmptyDatabase_AllSucceed_AndTheStoreTakesTokens()
    {
        var server = Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)!;
        var schema = "cli_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(server, $"CREATE SCHEMA {schema}");
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
            string[] args = ["db", "migrate", "--storage-provider", "postgres", "--connection-string", connection];

            var migrations = await Task.WhenAll(CliProcess.RunAsync(null, args), CliProcess.RunAsync(null, args), CliProcess.RunAsync(null, args));
            var token = await CliProcess.RunAsync(null, "tokens", "create", "--kind", "org", "--storage-provider", "postgres", "--connection-string", connection, "--json");
            var listed = await CliProcess.RunAsync(null, "tokens", "list", "--storage-provider", "postgres", "--connection-string", connection, "--json");

            migrations.ShouldAllBe(m => m.ExitCode == 0 && m.Stdout.Contains("postgres store's schema is up to date"), string.Join("\n", migrations.Select(m => m.ToString())));
            token.ExitCode.ShouldBe(0, token.ToString());
            var id = JsonNode.Parse(token.Stdout)!["info"]!["id"]!.GetValue<string>();
            JsonNode.Parse(listed.Stdout)!.AsArray().ShouldHaveSingleItem()!["id"]!.GetValue<string>().ShouldBe(id);
        }
        finally
        {
            await ExecuteAsync(server, $"DROP SCHEMA {schema} CASCADE");
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
