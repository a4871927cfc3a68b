using System.Text.Json.Nodes;
using Muster.Core.Engine;
using Muster.Server.Console;
using Muster.Storage;

namespace Muster.Console.Tests;

/// <summary>The run page's timeline at its edges, rendered as the server renders it.</summary>
public sealed class TimelineEdgeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AStepThatBeginsAtTheVeryEnd_IsDrawnAsTheNarrowestBarAtTheEnd_NotAServerError()
    {
        var runId = Guid.NewGuid();
        var run = new RunRecord
        {
            Id = runId, CrewName = "c", Crew = new() { Name = "c", Agents = [], Tasks = [], Inputs = [] }, Inputs = new JsonObject(),
            OwnerId = "o", TokenId = "t", CorrelationId = "x", State = RunState.Running, CreatedAt = T0, StartedAt = T0,
        };
        RunEventRecord[] events =
        [
            new(runId, 1, RunEventTypes.TaskStarted, T0, """{"task_name":"t","agent":"A"}"""),
            new(runId, 2, RunEventTypes.LlmCallStarted, T0.AddSeconds(10), """{"task_name":"t","agent":"A","model":"m"}"""),
        ];

        var html = RunDetailsPage.Live(new RunSnapshot(run, events, [], [], []), now: T0.AddSeconds(10)).Value;

        html.ShouldContain("""data-left="99.5" data-width="0.5">""");
        html.ShouldContain("LLM m");
    }
}
