using System.Text.Json.Nodes;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Simulator;
using static Muster.Core.Tests.TestCrews;

namespace Muster.Core.Tests;

/// <summary>Hierarchical crews and delegation, through the simulator over HTTP.</summary>
public sealed class HierarchicalCrewTests : IAsyncLifetime
{
    private static readonly AgentDefinition[] Team = [Agent("researcher", "Senior Researcher"), Agent("writer", "Report Writer")];
    private SimulatedEngine _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatedEngine.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private static CrewDefinition Hierarchical(params TaskDefinition[] tasks) =>
        Crew(Team, tasks) with { Process = CrewProcess.Hierarchical, ManagerLlm = "sim/manager-model" };

    private static TaskDefinition Unassigned(string name) => Task(name, "researcher") with { Agent = null };

    private static SimulatedReply Delegate(string coworker, string task, string context = "All you need to know.") =>
        SimulatedReply.ToolCalls(new SimulatedToolCall("delegate_work_to_coworker", new JsonObject { ["task"] = task, ["context"] = context, ["coworker"] = coworker }.ToJsonString()));

    private static SimulatedReply Ask(string coworker, string question) =>
        SimulatedReply.ToolCalls(new SimulatedToolCall("ask_question_to_coworker", new JsonObject { ["question"] = question, ["context"] = "The draft.", ["coworker"] = coworker }.ToJsonString()));

    [Fact]
    public async Task Manager_DelegatesToTwoAgents_ReviewsAndGivesTheFinalAnswer()
    {
        _sim.Simulator.Enqueue(
            Delegate("  senior researcher ", "Find three facts about tides"),
            SimulatedReply.Text("FACTS: the moon, the sun, the shape of the coast"),
            Delegate("Report Writer", "Write a paragraph from these facts", "FACTS: the moon, the sun, the shape of the coast"),
            SimulatedReply.Text("DRAFT about tides"),
            Ask("Senior Researcher", "Is this draft accurate?"),
            SimulatedReply.Text("Yes, it is accurate."),
            SimulatedReply.Text("FINAL reviewed report about tides"));

        var outcome = await _sim.RunAsync(Hierarchical(Unassigned("report")));

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed, outcome.Error);
        outcome.Output!.Raw.ShouldBe("FINAL reviewed report about tides");
        outcome.Output.TasksOutput[0].Agent.ShouldBe("Crew Manager");
        var requests = _sim.Simulator.Requests;
        requests.Count.ShouldBe(7);
        var manager = requests.Where((_, i) => i % 2 == 0).ToList();
        manager.ShouldAllBe(r => r.Model == "manager-model" && r.Messages[0].Content!.Contains("Crew Manager"));
        manager[0].ToolNames.ShouldBe(["delegate_work_to_coworker", "ask_question_to_coworker"]);
        manager[0].LastUserMessage!.ShouldContain("Do the report work");
        requests[1].Messages[0].Content!.ShouldContain("You are Senior Researcher");
        requests[1].LastUserMessage!.ShouldContain("Find three facts about tides");
        requests[1].ToolNames.ShouldBeEmpty();
        requests[3].Messages[0].Content!.ShouldContain("You are Report Writer");
        requests[3].LastUserMessage!.ShouldContain("FACTS: the moon");
        requests[5].LastUserMessage!.ShouldContain("Is this draft accurate?");
        // The manager reviews what it was given: each co-worker's answer comes back to it as the tool result.
        manager[1].Messages.ShouldContain(m => m.Role == "tool" && m.Content!.Contains("FACTS: the moon"));
        manager[3].Messages.ShouldContain(m => m.Role == "tool" && m.Content == "Yes, it is accurate.");

        var tools = _sim.Sink.All<ToolUsageFinished>().Select(e => e.ToolName).ToList();
        tools.ShouldBe(["Delegate work to coworker", "Delegate work to coworker", "Ask question to coworker"]);
        var delegated = _sim.Sink.All<AgentExecutionStarted>().Where(e => e.DelegatedBy is not null).ToList();
        delegated.Select(e => e.Agent).ShouldBe(["Senior Researcher", "Report Writer", "Senior Researcher"]);
        delegated.ShouldAllBe(e => e.DelegatedBy == "Crew Manager");
        outcome.Output.Usage.SuccessfulRequests.ShouldBe(7);
        outcome.Output.TasksOutput[0].Usage.SuccessfulRequests.ShouldBe(7);
    }

    [Fact]
    public async Task Delegation_ToUnknownCoworker_AnswersWithTheValidOnes_AndTheRunGoesOn()
    {
        _sim.Simulator.Enqueue(Delegate("Astronaut", "Fly to the moon"), SimulatedReply.Text("Done without help"));

        var outcome = await _sim.RunAsync(Hierarchical(Unassigned("trip")));

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed, outcome.Error);
        outcome.Output!.Raw.ShouldBe("Done without help");
        var toolResult = _sim.Simulator.Requests[1].Messages.Single(m => m.Role == "tool").Content!;
        toolResult.ShouldContain("Co-worker 'Astronaut' not found");
        toolResult.ShouldContain("- Senior Researcher\n- Report Writer");
        var error = _sim.Sink.Single<ToolUsageError>();
        error.ToolName.ShouldBe("Delegate work to coworker");
        error.Error.ShouldContain("Report Writer");
    }

    [Fact]
    public async Task ManagerOfATaskWithAnAgent_DelegatesOnlyToThatAgent()
    {
        _sim.Simulator.Enqueue(Delegate("Senior Researcher", "Research"), SimulatedReply.Text("unused"), SimulatedReply.Text("final"));

        var outcome = await _sim.RunAsync(Hierarchical(Task("draft", "writer")));

        outcome.Kind.ShouldBe(RunOutcomeKind.Completed, outcome.Error);
        _sim.Simulator.Requests[1].Messages.Single(m => m.Role == "tool").Content!.ShouldContain("It must be one of the following options:\n- Report Writer");
    }

    [Fact]
    public async Task ManagerAgent_RunsWithItsOwnRoleAndModel()
    {
        var boss = Agent("boss", "Editor in Chief") with { Llm = "sim/boss-model" };
        _sim.Simulator.Enqueue(Delegate("Report Writer", "Write it"), SimulatedReply.Text("written"), SimulatedReply.Text("approved"));

        var outcome = await _sim.RunAsync(Hierarchical(Unassigned("edit")) with { ManagerLlm = null, ManagerAgent = boss });

        outcome.Output!.TasksOutput[0].Agent.ShouldBe("Editor in Chief");
        _sim.Simulator.Requests[0].Model.ShouldBe("boss-model");
        _sim.Simulator.Requests[0].Messages[0].Content!.ShouldContain("Backstory of boss");
        _sim.Simulator.Requests[1].Model.ShouldBe("test-model");
    }

    [Fact]
    public async Task AllowDelegation_InASequentialCrew_GivesTheAgentDelegationTowardsItsCoworkers()
    {
        var lead = Agent("lead", "Team Lead") with { AllowDelegation = true };
        _sim.Simulator.Enqueue(
            Ask("senior researcher", "What is the capital of France?"),
            SimulatedReply.Text("Paris"),
            SimulatedReply.Text("The capital is Paris"));

        var outcome = await _sim.RunAsync(Crew([lead, .. Team], Task("answer", "lead")));

        outcome.Output!.Raw.ShouldBe("The capital is Paris");
        var requests = _sim.Simulator.Requests;
        requests[0].ToolNames.ShouldBe(["delegate_work_to_coworker", "ask_question_to_coworker"]);
        requests[0].Body["tools"]![0]!["function"]!["description"]!.GetValue<string>().ShouldContain("Senior Researcher, Report Writer");
        requests[0].Body["tools"]![0]!["function"]!["description"]!.GetValue<string>().ShouldNotContain("Team Lead");
        requests[1].LastUserMessage!.ShouldContain("What is the capital of France?");
        requests[1].ToolNames.ShouldBeEmpty();
        _sim.Sink.Single<ToolUsageFinished>().Output.ShouldBe("Paris");
    }
}
