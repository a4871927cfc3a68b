namespace Muster.Bench.Tests;

public sealed class BenchSettingsTests
{
    private static readonly string Repo = TestRepo.Root;

    [Fact]
    public void NoOptions_GiveQuickMode_AllScenarios_OneSqliteNode_AndTheShippedRunLimit()
    {
        var settings = BenchSettings.Parse(["--repo", Repo]);

        settings.Full.ShouldBeFalse();
        settings.Scenarios.Order().ShouldBe([1, 2, 3, 4, 5, 6, 7]);
        settings.Storage.ShouldBe("sqlite");
        settings.ConnectionString.ShouldBeNull();
        settings.Nodes.ShouldBe(1);
        settings.MaxConcurrentRuns.ShouldBe(64);
        settings.ServerEnvironment.ShouldBeEmpty();
        settings.MarkdownPath.ShouldBeNull();
        settings.KickoffRuns.ShouldBe(1_000);
        settings.NodeWarmUpRuns.ShouldBe(200);
        settings.ServerDll.ShouldBe(Path.Combine(Repo, "src/Muster.Server/bin/Release/net10.0/Muster.Server.dll"));
        settings.CrewsPath.ShouldBe(Path.Combine(Repo, "bench/crews"));
    }

    [Fact]
    public void WithoutRepo_TheRepositoryIsFoundFromTheCurrentDirectory()
    {
        // Tests run in their bin folder, which is inside the checkout.
        Directory.GetCurrentDirectory().ShouldStartWith(Repo, Case.Sensitive);

        BenchSettings.Parse([]).Repo.ShouldBe(Repo);
    }

    [Fact]
    public void Repo_WorksFromOutsideACheckout()
    {
        var outside = Directory.CreateTempSubdirectory("muster-bench-settings-");
        try
        {
            BenchSettings.Parse(["--repo", Repo], outside.FullName).Repo.ShouldBe(Repo);
            Should.Throw<ArgumentException>(() => BenchSettings.Parse([], outside.FullName)).Message.ShouldContain("--repo", Case.Sensitive);
        }
        finally
        {
            outside.Delete();
        }
    }

    [Fact]
    public void Full_SwitchesEverySize_AndQuickSwitchesBack()
    {
        var full = BenchSettings.Parse(["--repo", Repo, "--full"]);
        full.Full.ShouldBeTrue();
        full.KickoffRuns.ShouldBe(5_000);
        full.NodeWarmUpRuns.ShouldBe(5_000);
        full.InFlightRuns.ShouldBe(10_000);

        BenchSettings.Parse(["--repo", Repo, "--full", "--quick"]).Full.ShouldBeFalse();
    }

    [Fact]
    public void RunsAndWarmUpRuns_OverrideScenarioTwosSizes_InEitherMode()
    {
        var quick = BenchSettings.Parse(["--repo", Repo, "--runs", "20000", "--warm-up-runs", "8000"]);
        quick.KickoffRuns.ShouldBe(20_000);
        quick.NodeWarmUpRuns.ShouldBe(8_000);
        quick.InFlightRuns.ShouldBe(2_000);

        var full = BenchSettings.Parse(["--repo", Repo, "--runs", "300", "--full"]);
        full.KickoffRuns.ShouldBe(300);
        full.NodeWarmUpRuns.ShouldBe(5_000);
    }

    [Fact]
    public void Scenarios_TakesACommaSeparatedList()
    {
        BenchSettings.Parse(["--repo", Repo, "--scenarios", "2,5"]).Scenarios.Order().ShouldBe([2, 5]);
    }

    [Fact]
    public void ServerEnv_IsRepeatable_AValueMayHoldEquals_AndTheLaterOfTheSameKeyWins()
    {
        var settings = BenchSettings.Parse(["--repo", Repo, "--server-env", "A=1", "--server-env", "B=x=y", "--server-env", "A=2", "--server-env", "C="]);

        settings.ServerEnvironment.OrderBy(p => p.Key, StringComparer.Ordinal).ShouldBe(
        [
            new KeyValuePair<string, string>("A", "2"),
            new KeyValuePair<string, string>("B", "x=y"),
            new KeyValuePair<string, string>("C", ""),
        ]);
    }

    [Fact]
    public void PathsAndNumbers_AreRead()
    {
        var settings = BenchSettings.Parse(
        [
            "--repo", Repo, "--storage", "Postgres", "--connection-string", "Host=x;Database=y",
            "--nodes", "2", "--max-concurrent-runs", "256", "--server", "/opt/muster/Muster.Server.dll", "--markdown", "/tmp/out.md",
        ]);

        settings.Storage.ShouldBe("postgres");
        settings.ConnectionString.ShouldBe("Host=x;Database=y");
        settings.Nodes.ShouldBe(2);
        settings.MaxConcurrentRuns.ShouldBe(256);
        settings.ServerDll.ShouldBe("/opt/muster/Muster.Server.dll");
        settings.MarkdownPath.ShouldBe("/tmp/out.md");
    }

    public static TheoryData<string[]> WrongCommandLines() => new()
    {
        new[] { "--bogus" },
        new[] { "--nodes", "2" },
        new[] { "--nodes", "0" },
        new[] { "--nodes", "two" },
        new[] { "--storage", "postgres" },
        new[] { "--storage", "postgres", "--connection-string", " " },
        new[] { "--storage", "mysql" },
        new[] { "--server-env", "NOEQUALS" },
        new[] { "--server-env", "=value" },
        new[] { "--scenarios", "2,x" },
        new[] { "--markdown" },
        new[] { "--scenarios" },
        new[] { "--quick", "--server-env" },
        new[] { "--runs", "0" },
        new[] { "--warm-up-runs", "-5" },
        new[] { "--runs", "many" },
    };

    [Theory]
    [MemberData(nameof(WrongCommandLines))]
    public void WrongCommandLine_IsAnArgumentException(string[] args)
    {
        Should.Throw<ArgumentException>(() => BenchSettings.Parse(["--repo", Repo, .. args]));
    }
}
