using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Muster.Testing;

namespace Muster.Cli.Tests;

/// <summary><c>muster</c> as a process without a server: usage errors, an unreachable server, crew validation, the store.</summary>
public sealed class CliBasicsTests
{
    [Fact]
    public async Task Help_ListsTheCommands_AndExits0()
    {
        var result = await CliProcess.RunAsync(null, "--help");

        result.ExitCode.ShouldBe(0, result.ToString());
        foreach (var verb in new[] { "serve", "crews", "inputs", "kickoff", "status", "resume", "stop", "runs", "tokens", "db" })
        {
            result.Stdout.ShouldContain($"  {verb}");
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("kickoff", "--help")]
    [InlineData("tokens", "list", "--help")]
    public async Task Help_NeverPrintsTheTokenFromTheEnvironment(params string[] args)
    {
        var secret = "mst_" + Guid.NewGuid().ToString("N");

        var result = await CliProcess.RunAsync(new Dictionary<string, string?> { ["MUSTER_TOKEN"] = secret, ["MUSTER_URL"] = "http://127.0.0.1:1" }, args);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("--token");
        result.Stdout.ShouldNotContain(secret);
        result.Stderr.ShouldNotContain(secret);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("status")]
    [InlineData("status", "not-a-run-id")]
    [InlineData("resume", "0191e0a8-0000-7000-8000-000000000000", "--task", "t")]
    [InlineData("tokens", "create", "--kind", "user")]
    [InlineData("runs", "list", "--status", "sleeping")]
    [InlineData("runs", "list", "--limit", "0")]
    [InlineData("kickoff", "--input", "no-equals-sign")]
    [InlineData("kickoff", "--inputs-file", "/no/such/inputs.json")]
    [InlineData("status", "0191e0a8-0000-7000-8000-000000000000", "--url", "ftp://example")]
    public async Task UsageErrors_SayWhatIsWrong_AndExit2(params string[] args)
    {
        var result = await CliProcess.RunAsync(null, args);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldStartWith("error: ");
        result.Stderr.ShouldContain("--help' for usage.");
        result.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task UnreachableServer_IsOneLineAndExit3()
    {
        var result = await CliProcess.RunAsync(
            new Dictionary<string, string?> { ["MUSTER_URL"] = "http://127.0.0.1:1" }, "status", "0191e0a8-0000-7000-8000-000000000000");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.Trim().ShouldStartWith("error: cannot reach http://127.0.0.1:1/");
        result.Stderr.Trim().Split('\n').ShouldHaveSingleItem();
        result.Stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task CrewsValidate_OfGoodCrews_SaysOkAndExits0()
    {
        using var folder = new TempFolder();
        TestCrews.WriteTwoTaskCrew(folder.Path);
        TestCrews.WriteReviewCrew(folder.Path);

        var result = await CliProcess.RunAsync(null, "crews", "validate", folder.Path);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("ok: research");
        result.Stdout.ShouldContain("ok: support");
        result.StdoutLines[^1].ShouldBe("2 crew(s) checked: 2 ok, 0 with errors.");
    }

    [Fact]
    public async Task CrewsValidate_OfABrokenCrew_PrintsEveryProblemWithFileAndLine_AndExits1()
    {
        using var folder = new TempFolder();
        TestCrews.WriteTwoTaskCrew(folder.Path);
        TestCrews.Write(folder.Path, "broken", "name: broken\n",
            """
            writer:
              role: "Writer"
              goal: "Write"
            """,
            """
            draft:
              description: "Draft it."
              expected_output: "A draft."
              agent: nobody
            """);

        var text = await CliProcess.RunAsync(null, "crews", "validate", folder.Path);
        var json = await CliProcess.RunAsync(null, "crews", "validate", folder.Path, "--json");

        text.ExitCode.ShouldBe(1, text.ToString());
        var agents = Path.Combine(folder.Path, "broken", "agents.yaml");
        var tasks = Path.Combine(folder.Path, "broken", "tasks.yaml");
        text.Stdout.ShouldMatch($@"{Regex.Escape(agents)}:1:1: error: .*backstory");
        text.Stdout.ShouldMatch($@"{Regex.Escape(tasks)}:4:\d+: error: .*nobody");
        text.Stdout.ShouldContain("ok: research");
        text.StdoutLines[^1].ShouldBe("2 crew(s) checked: 1 ok, 1 with errors.");

        json.ExitCode.ShouldBe(1);
        var crews = JsonNode.Parse(json.Stdout)!.AsArray();
        var broken = crews.Single(c => c!["path"]!.GetValue<string>().EndsWith("broken", StringComparison.Ordinal))!;
        broken["ok"]!.GetValue<bool>().ShouldBeFalse();
        broken["diagnostics"]!.AsArray().ShouldAllBe(d => d!["line"]!.GetValue<int>() > 0 && d["severity"]!.GetValue<string>() == "error");
        crews.Single(c => c!["crew"]?.GetValue<string>() == "research")!["ok"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task DbMigrate_TwiceAtOnceOnAFreshStore_BothSucceed_AndTheStoreWorks()
    {
        using var folder = new TempFolder();
        var connection = $"Data Source={folder.Combine("fresh.db")}";

        var results = await Task.WhenAll(
            CliProcess.RunAsync(null, "db", "migrate", "--connection-string", connection),
            CliProcess.RunAsync(null, "db", "migrate", "--storage-provider", "sqlite", "--connection-string", connection));
        var token = await CliProcess.RunAsync(null, "tokens", "create", "--kind", "org", "--connection-string", connection, "--json");

        results.ShouldAllBe(r => r.ExitCode == 0 && r.Stdout.Contains("schema is up to date"));
        token.ExitCode.ShouldBe(0, token.ToString());
        JsonNode.Parse(token.Stdout)!["token"]!.GetValue<string>().ShouldStartWith("mst_");
    }

    [Fact]
    public async Task TokensCreate_WhereNoStoreExists_RefusesToCreateOneUnlessAsked_AndSaysWhichStoreItWroteTo()
    {
        using var folder = new TempFolder();
        var database = folder.Combine("elsewhere", "muster.db");
        var connection = $"Data Source={database}";

        var refused = await CliProcess.RunAsync(null, "tokens", "create", "--kind", "org", "--connection-string", connection);
        var listRefused = await CliProcess.RunAsync(null, "tokens", "list", "--connection-string", connection);
        var existsAfterRefusals = File.Exists(database);
        var created = await CliProcess.RunAsync(null, "tokens", "create", "--kind", "org", "--connection-string", connection, "--create");
        var again = await CliProcess.RunAsync(null, "tokens", "create", "--kind", "user", "--user", "bob", "--connection-string", connection);

        refused.ExitCode.ShouldBe(2, refused.ToString());
        refused.Stderr.ShouldStartWith($"error: there is no store at {database}");
        refused.Stderr.ShouldContain("--create");
        refused.Stdout.ShouldBeEmpty();
        listRefused.ExitCode.ShouldBe(2, listRefused.ToString());
        existsAfterRefusals.ShouldBeFalse();
        created.ExitCode.ShouldBe(0, created.ToString());
        created.Stdout.Trim().ShouldStartWith("mst_");
        created.Stderr.ShouldContain($"in the SQLite store {database}.");
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Stderr.ShouldContain($"Created user token tok_");
        again.Stderr.ShouldContain($"in the SQLite store {database}.");
    }

    [Fact]
    public async Task DbMigrate_WithAnUnknownProvider_IsAUsageError()
    {
        var result = await CliProcess.RunAsync(null, "db", "migrate", "--storage-provider", "mysql", "--connection-string", "Server=x");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldStartWith("error: Unknown Muster:Storage:Provider 'mysql'. Use 'sqlite' (default) or 'postgres'.");
    }

    [Fact]
    public async Task DbMigrate_OfAnUnreachableStore_IsOneLineAndExit3()
    {
        var result = await CliProcess.RunAsync(
            null, "db", "migrate", "--storage-provider", "postgres", "--connection-string", "Host=127.0.0.1;Port=1;Username=muster;Database=muster;Timeout=5");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.Trim().ShouldBe("error: the store failed: Failed to connect to 127.0.0.1:1");
    }
}
