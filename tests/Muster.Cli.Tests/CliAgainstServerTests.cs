using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Cli.Tests;

/// <summary>Every command of <c>muster</c>, run as a process against a real Muster server: outputs and exit codes.</summary>
public sealed class CliAgainstServerTests(CliServer live) : IClassFixture<CliServer>
{
    [Fact]
    public async Task CrewsListAndInputs_ShowTheServersCrews()
    {
        live.Server.Simulator.Responder = null;
        var table = await live.RunAsync("crews", "list");
        var json = await live.RunAsync("crews", "list", "--json");
        var inputs = await live.RunAsync("inputs", "--crew", "support");
        var inputsJson = await live.RunAsync("inputs", "--crew", "research", "--json");

        table.ExitCode.ShouldBe(0, table.ToString());
        table.Stdout.ShouldContain("NAME");
        table.StdoutLines.ShouldContain(l => l.StartsWith("research ", StringComparison.Ordinal) && l.Contains("research_task, report_task"));
        JsonNode.Parse(json.Stdout)!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ShouldBe(["research", "support"]);
        inputs.StdoutLines.ShouldBe(["question"]);
        JsonNode.Parse(inputsJson.Stdout)!["inputs"]!.AsArray().Select(i => i!.GetValue<string>()).ShouldBe(["topic"]);
    }

    [Fact]
    public async Task KickoffWait_FollowsTheRunToCompletion_PrintsTheOutput_AndExits0()
    {
        live.Server.Simulator.Responder = null;
        live.Server.Simulator.Latency = TimeSpan.FromMilliseconds(100);

        var result = await live.RunAsync("kickoff", "--crew", "research", "--input", "topic=owls", "--wait");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("[Simulated answer");
        result.Stderr.ShouldMatch(@"Started run [0-9a-f-]{36}\.");
        result.Stderr.ShouldMatch(@"Run [0-9a-f-]{36} completed in [\d.]+ s: 2 tasks, [\d,]+ tokens\.");
        result.Stderr.ShouldNotContain("\u001b[");
    }

    [Fact]
    public async Task KickoffWait_WithJson_PrintsTheFinalStatusAsJson()
    {
        live.Server.Simulator.Responder = null;
        live.Server.Simulator.Latency = TimeSpan.Zero;

        var result = await live.RunAsync("kickoff", "--crew", "research", "-i", "topic=json", "--wait", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        var status = JsonNode.Parse(result.Stdout)!;
        status["status"]!.GetValue<string>().ShouldBe("completed");
        status["result"]!["tasks"]!.AsArray().Count.ShouldBe(2);
    }

    [Fact]
    public async Task KickoffWait_OfAFailingCrew_PrintsTheErrorAndExits1()
    {
        live.Server.Simulator.Latency = TimeSpan.Zero;
        live.Server.Simulator.Responder = _ => SimulatedReply.Error(400, "the simulated provider refuses this request");
        try
        {
            var result = await live.RunAsync("kickoff", "--crew", "research", "--input", "topic=doomed", "--wait");

            result.ExitCode.ShouldBe(1, result.ToString());
            result.Stderr.ShouldMatch(@"error: run [0-9a-f-]{36} failed in [\d.]+ s.*: .+");
            result.Stdout.ShouldBeEmpty();
        }
        finally
        {
            live.Server.Simulator.Responder = null;
        }
    }

    [Fact]
    public async Task Kickoff_WithAMissingInput_ShowsTheServersMessageInOneLine_AndExits1()
    {
        var result = await live.RunAsync("kickoff", "--crew", "research");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.Trim().ShouldBe("error: 422 Validation Error: Missing required inputs (topic)");
    }

    [Fact]
    public async Task AnyCommand_WithoutAToken_Exits1WithThe401()
    {
        var result = await CliProcess.RunAsync(new Dictionary<string, string?> { ["MUSTER_URL"] = live.Server.BaseAddress.ToString() }, "crews", "list");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.Trim().ShouldBe("error: 401 Unauthorized: Invalid or missing bearer token (give a token with --token or MUSTER_TOKEN)");
    }

    [Fact]
    public async Task KickoffFromAFile_ThenStatusAndRunsShowAndWatch_DescribeTheRun()
    {
        live.Server.Simulator.Responder = null;
        live.Server.Simulator.Latency = TimeSpan.Zero;
        using var folder = new Muster.Testing.TempFolder();
        var inputs = folder.Combine("inputs.json");
        await File.WriteAllTextAsync(inputs, """{"topic": "from a file"}""");

        var kickoff = await live.RunAsync("kickoff", "--crew", "research", "--inputs-file", inputs);
        var id = kickoff.Stdout.Trim();
        await live.WaitForStatusAsync("research", id, s => s["status"]!.GetValue<string>() != "running");
        var status = await live.RunAsync("status", id);
        var statusJson = await live.RunAsync("status", id, "--json");
        var show = await live.RunAsync("runs", "show", id);
        var showJson = await live.RunAsync("runs", "show", id, "--json");
        var watch = await live.RunAsync("runs", "watch", id);
        var watchJson = await live.RunAsync("runs", "watch", id, "--json");

        kickoff.ExitCode.ShouldBe(0, kickoff.ToString());
        Guid.TryParse(id, out _).ShouldBeTrue(kickoff.ToString());
        status.ExitCode.ShouldBe(0, status.ToString());
        status.StdoutLines.ShouldContain("status:          completed (SUCCESS)");
        status.StdoutLines.ShouldContain(l => l.StartsWith("task:            research_task (", StringComparison.Ordinal));
        // The simulator's model has no price: the CLI says the cost is unknown rather than $0.00 (docs/COSTS.md).
        status.StdoutLines.ShouldContain(l => l.StartsWith("tokens:", StringComparison.Ordinal) && l.EndsWith(" completion, cost unknown)", StringComparison.Ordinal));
        JsonNode.Parse(statusJson.Stdout)!["result"]!["output"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        show.StdoutLines.ShouldContain("inputs:          {\"topic\":\"from a file\"}");
        show.StdoutLines.ShouldContain(l => l.StartsWith("== report_task", StringComparison.Ordinal));
        var record = JsonNode.Parse(showJson.Stdout)!;
        record["id"]!.GetValue<string>().ShouldBe(id);
        record["tasks"]!.AsArray().Select(t => t!["task"]!.GetValue<string>()).ShouldBe(["research_task", "report_task"]);
        record["token_usage"]!["total_tokens"]!.GetValue<long>().ShouldBeGreaterThan(0);
        watch.ExitCode.ShouldBe(0, watch.ToString());
        watch.StdoutLines[0].ShouldContain("crew_kickoff_started research, 2 tasks");
        watch.StdoutLines[^1].ShouldContain("crew_kickoff_completed");
        var events = watchJson.StdoutLines.Select(l => JsonNode.Parse(l)!).ToList();
        events.Select(e => e["sequence"]!.GetValue<long>()).ShouldBe(Enumerable.Range(1, events.Count).Select(i => (long)i));
        events[^1]["type"]!.GetValue<string>().ShouldBe("crew_kickoff_completed");
    }

    [Fact]
    public async Task RunsList_FiltersAndLimits_AsATableOrJson()
    {
        live.Server.Simulator.Responder = null;
        live.Server.Simulator.Latency = TimeSpan.Zero;
        for (var i = 0; i < 3; i++)
        {
            (await live.RunAsync("kickoff", "--crew", "research", "-i", $"topic=list{i}", "--wait")).ExitCode.ShouldBe(0);
        }

        var table = await live.RunAsync("runs", "list", "--crew", "research", "--limit", "2");
        var json = await live.RunAsync("runs", "list", "--status", "completed", "--crew", "research", "--limit", "3", "--json");
        var none = await live.RunAsync("runs", "list", "--crew", "no_such_crew", "--json");

        table.ExitCode.ShouldBe(0, table.ToString());
        table.StdoutLines[0].ShouldStartWith("ID");
        table.StdoutLines.Count(l => Guid.TryParse(l.Split(' ')[0], out _)).ShouldBe(2);
        var runs = JsonNode.Parse(json.Stdout)!.AsArray();
        runs.Count.ShouldBe(3);
        runs.ShouldAllBe(r => r!["status"]!.GetValue<string>() == "completed" && r["crew_type"]!.GetValue<string>() == "research");
        JsonNode.Parse(none.Stdout)!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task Resume_ApprovesAPausedTask_AndTheRunCompletes()
    {
        live.Server.Simulator.Responder = null;
        live.Server.Simulator.Latency = TimeSpan.Zero;
        var id = (await live.RunAsync("kickoff", "--crew", "support", "-i", "question=Can I export?")).Stdout.Trim();
        await live.WaitForStatusAsync("support", id, s => s["pending_human_input"] is not null);

        var status = await live.RunAsync("status", id);
        var wrong = await live.RunAsync("resume", id, "--task", "not_this_one", "--approve");
        var resume = await live.RunAsync("resume", id, "--task", "draft_reply", "--approve", "--feedback", "Good");
        var done = await live.WaitForStatusAsync("support", id, s => s["status"]!.GetValue<string>() != "running");

        status.StdoutLines.ShouldContain($"awaiting review: draft_reply: muster resume {id} --task draft_reply --approve (or --retry --feedback TEXT)");
        wrong.ExitCode.ShouldBe(1, wrong.ToString());
        wrong.Stderr.Trim().ShouldBe(
            "error: 400 Bad Request: Execution is not in pending human input state for task 'not_this_one': the execution awaits review of task 'draft_reply'");
        resume.ExitCode.ShouldBe(0, resume.ToString());
        resume.Stdout.Trim().ShouldBe("resumed: Execution resumed at task draft_reply");
        done["status"]!.GetValue<string>().ShouldBe("completed");
    }

    [Fact]
    public async Task Stop_StopsARunningRun_AndASecondStopExits1WithTheServersDetail()
    {
        live.Server.Simulator.Responder = null;
        live.Server.Simulator.Latency = TimeSpan.Zero;
        using var research = AnswerHold.About(live.Server.Simulator, "stop me Researcher");
        var id = (await live.RunAsync("kickoff", "--crew", "research", "-i", "topic=stop me")).Stdout.Trim();
        await live.WaitForStatusAsync("research", id, s => s["state"]!.GetValue<string>() == "RUNNING");

        var stop = await live.RunAsync("stop", id);
        var done = await live.WaitForStatusAsync("research", id, s => s["status"]!.GetValue<string>() != "running");
        var again = await live.RunAsync("stop", id, "--json");

        stop.ExitCode.ShouldBe(0, stop.ToString());
        stop.Stdout.Trim().ShouldBe($"Stopped run {id}.");
        done["status"]!.GetValue<string>().ShouldBe("error");
        again.ExitCode.ShouldBe(1, again.ToString());
        again.Stderr.Trim().ShouldBe("error: 400 Cannot stop execution. Current state: REVOKED");
    }

    [Fact]
    public async Task CtrlC_DuringKickoffWait_WithoutATerminal_LeavesTheRunRunningAndSaysSo()
    {
        live.Server.Simulator.Responder = null;
        live.Server.Simulator.Latency = TimeSpan.Zero;
        using var research = AnswerHold.About(live.Server.Simulator, "interrupted Researcher");
        await using var cli = CliProcess.Start(live.Environment, interruptible: true, "kickoff", "--crew", "research", "-i", "topic=interrupted", "--wait");
        var started = await cli.WaitForOutputAsync(new(@"Started run ([0-9a-f-]{36})\."));
        var id = started.Groups[1].Value;
        await live.WaitForStatusAsync("research", id, s => s["state"]!.GetValue<string>() == "RUNNING");

        await cli.InterruptAsync();
        var result = await cli.WaitAsync();
        var status = await live.WaitForStatusAsync("research", id, _ => true);

        result.ExitCode.ShouldBe(130, result.ToString());
        result.Stderr.ShouldContain($"Interrupted. Run {id} is still running on the server");
        status["status"]!.GetValue<string>().ShouldBe("running");
    }

    [TerminalFact]
    public async Task CtrlC_DuringKickoffWait_OnATerminal_ShowsTheLiveView_AsksAndStopsTheRunOnYes()
    {
        live.Server.Simulator.Responder = null;
        live.Server.Simulator.Latency = TimeSpan.Zero;
        await using var cli = CliProcess.StartInTerminal(live.Environment, "kickoff", "--crew", "support", "-i", "question=Stop me?", "--wait");
        var id = (await cli.WaitForOutputAsync(new(@"Started run ([0-9a-f-]{36})\."))).Groups[1].Value;
        await cli.WaitForOutputAsync(new("awaiting review of draft_reply"));

        await cli.TypeAsync("\u0003");
        await cli.WaitForOutputAsync(new($@"Stop run {id} on the server too\?"));
        await cli.TypeAsync("y\r");
        var result = await cli.WaitAsync();
        var status = await live.WaitForStatusAsync("support", id, s => s["status"]!.GetValue<string>() != "running");

        result.ExitCode.ShouldBe(130, result.ToString());
        result.Stdout.ShouldContain("0/1 tasks · awaiting review of draft_reply");
        result.Stdout.ShouldContain($"muster resume {id} --task draft_reply --approve");
        result.Stdout.ShouldContain($"Stopped run {id}.");
        status["error"]!.GetValue<string>().ShouldStartWith("Stopped by");
    }

    [Fact]
    public async Task KickoffWait_OnARunPausedForReview_PrintsTheResumeCommand_AndFollowsTheRunToItsEnd()
    {
        live.Server.Simulator.Responder = null;
        live.Server.Simulator.Latency = TimeSpan.Zero;
        await using var cli = CliProcess.Start(live.Environment, "kickoff", "--crew", "support", "-i", "question=Paused?", "--wait");
        var id = (await cli.WaitForOutputAsync(new(@"Started run ([0-9a-f-]{36})\."))).Groups[1].Value;

        await cli.WaitForOutputAsync(new(Regex.Escape(
            $"Run {id} awaits review of draft_reply; answer it with (or --retry --feedback TEXT):\nmuster resume {id} --task draft_reply --approve\n")));
        var resume = await live.RunAsync("resume", id, "--task", "draft_reply", "--approve");
        var result = await cli.WaitAsync();

        resume.ExitCode.ShouldBe(0, resume.ToString());
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldMatch($@"Run {id} completed in [\d.]+ s: 1 tasks");
        Regex.Count(result.Stderr, "awaits review of").ShouldBe(1, result.Stderr);
    }

    [TerminalFact]
    public async Task CtrlC_OnATerminal_AnsweredYesAfterTheRunFinished_SaysItHadFinished_AndExits0()
    {
        live.Server.Simulator.Responder = null;
        live.Server.Simulator.Latency = TimeSpan.Zero;
        using var research = AnswerHold.About(live.Server.Simulator, "finished meanwhile Researcher");
        await using var cli = CliProcess.StartInTerminal(live.Environment, "kickoff", "--crew", "research", "-i", "topic=finished meanwhile", "--wait");
        var id = (await cli.WaitForOutputAsync(new(@"Started run ([0-9a-f-]{36})\."))).Groups[1].Value;
        await research.WaitForCallAsync();
        // What a person sees before pressing Ctrl-C: the live view on the research task.
        await cli.WaitForOutputAsync(new("research_task"));

        await cli.TypeAsync("\u0003");
        await cli.WaitForOutputAsync(new($@"Stop run {id} on the server too\?"));
        research.Release();
        await live.WaitForStatusAsync("research", id, s => s["status"]!.GetValue<string>() == "completed");
        await cli.TypeAsync("y\r");
        var result = await cli.WaitAsync();

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain($"Run {id} had already finished: completed (SUCCESS); there was nothing to stop.");
        result.Stdout.ShouldNotContain("error:");
    }

    [Fact]
    public async Task TokensCreatedDirectlyInTheStore_WorkAgainstTheServer_AndTheApiListsAndRevokesThem()
    {
        var connection = $"Data Source={live.Server.DatabasePath}";

        var created = await live.RunAsync("tokens", "create", "--kind", "org", "--name", "from the store", "--connection-string", connection);
        var secret = created.Stdout.Trim();
        var withIt = await CliProcess.RunAsync(
            new Dictionary<string, string?> { ["MUSTER_URL"] = live.Server.BaseAddress.ToString() }, "crews", "list", "--token", secret, "--json");
        var user = await live.RunAsync("tokens", "create", "--kind", "user", "--user", "alice", "--crew", "research", "--json");
        var listed = await live.RunAsync("tokens", "list", "--json");
        var listedDirectly = await live.RunAsync("tokens", "list", "--store", "--connection-string", connection);
        var storeId = JsonNode.Parse(listed.Stdout)!.AsArray().Single(t => t!["name"]?.GetValue<string>() == "from the store")!["id"]!.GetValue<string>();
        var revoke = await live.RunAsync("tokens", "revoke", storeId);
        var afterRevoke = await CliProcess.RunAsync(
            new Dictionary<string, string?> { ["MUSTER_URL"] = live.Server.BaseAddress.ToString(), ["MUSTER_TOKEN"] = secret }, "crews", "list");
        var revokeUnknown = await live.RunAsync("tokens", "revoke", "tok_nope", "--connection-string", connection);
        var userId = JsonNode.Parse(user.Stdout)!["info"]!["id"]!.GetValue<string>();
        var revokeDirectly = await live.RunAsync("tokens", "revoke", userId, "--connection-string", connection);

        created.ExitCode.ShouldBe(0, created.ToString());
        secret.ShouldStartWith("mst_");
        created.Stderr.ShouldContain("shown only this once");
        withIt.ExitCode.ShouldBe(0, withIt.ToString());
        var userToken = JsonNode.Parse(user.Stdout)!;
        userToken["info"]!["kind"]!.GetValue<string>().ShouldBe("user");
        userToken["info"]!["crews"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(["research"]);
        listed.Stdout.ShouldNotContain(secret);
        listedDirectly.Stdout.ShouldContain(storeId);
        revoke.ExitCode.ShouldBe(0, revoke.ToString());
        revoke.Stdout.Trim().ShouldBe($"Revoked token {storeId}.");
        afterRevoke.ExitCode.ShouldBe(1, afterRevoke.ToString());
        revokeUnknown.ExitCode.ShouldBe(1);
        revokeUnknown.Stderr.Trim().ShouldBe("error: no active token has the id tok_nope");
        revokeDirectly.ExitCode.ShouldBe(0, revokeDirectly.ToString());
        revokeDirectly.Stdout.Trim().ShouldBe($"Revoked token {userId}.");
        revokeDirectly.Stderr.ShouldContain("the SQLite store cannot notify the server");
        revokeDirectly.Stderr.ShouldContain("Muster:Auth:TokenCacheSeconds");
    }

    [Fact]
    public async Task TokensCreate_OnlyATokenThatManagesTokens_MayManageThem_AndTheRulesHoldOnTheCommandLineToo()
    {
        var connection = $"Data Source={live.Server.DatabasePath}";
        var limited = await live.RunAsync("tokens", "create", "--kind", "org", "--crew", "research", "--json");
        var asLimited = new Dictionary<string, string?>(live.Environment) { ["MUSTER_TOKEN"] = JsonNode.Parse(limited.Stdout)!["token"]!.GetValue<string>() };

        var widening = await CliProcess.RunAsync(asLimited, "tokens", "create", "--kind", "org");
        var listing = await CliProcess.RunAsync(asLimited, "tokens", "list");
        var manager = await live.RunAsync("tokens", "create", "--kind", "org", "--manage-tokens", "--status-shape", "live", "--json");
        var managerInStore = await live.RunAsync("tokens", "create", "--kind", "org", "--manage-tokens", "--connection-string", connection, "--json");
        var reservedUser = await live.RunAsync("tokens", "create", "--kind", "user", "--user", "org:tok_bootstrap_0123456789ab");
        var managingUser = await live.RunAsync("tokens", "create", "--kind", "user", "--user", "carol", "--manage-tokens");
        var managingCrew = await live.RunAsync("tokens", "create", "--kind", "org", "--crew", "research", "--manage-tokens", "--connection-string", connection);
        var unknownShape = await live.RunAsync("tokens", "create", "--kind", "org", "--status-shape", "legacy");

        limited.ExitCode.ShouldBe(0, limited.ToString());
        widening.ExitCode.ShouldBe(1, widening.ToString());
        widening.Stderr.ShouldContain("403");
        widening.Stderr.ShouldContain("manage_tokens");
        widening.Stdout.ShouldBeEmpty();
        listing.ExitCode.ShouldBe(1, listing.ToString());
        var info = JsonNode.Parse(manager.Stdout)!["info"]!;
        info["manage_tokens"]!.GetValue<bool>().ShouldBeTrue();
        info["status_shape"]!.GetValue<string>().ShouldBe("live");
        JsonNode.Parse(managerInStore.Stdout)!["info"]!["manage_tokens"]!.GetValue<bool>().ShouldBeTrue(managerInStore.ToString());
        foreach (var refused in new[] { reservedUser, managingUser, managingCrew, unknownShape })
        {
            refused.ExitCode.ShouldBe(2, refused.ToString());
            refused.Stdout.ShouldBeEmpty();
        }

        reservedUser.Stderr.ShouldContain("may not start with 'org:'");
        managingUser.Stderr.ShouldContain("--manage-tokens is for an org token that covers every crew");
        managingCrew.Stderr.ShouldContain("--manage-tokens is for an org token that covers every crew");
    }
}
