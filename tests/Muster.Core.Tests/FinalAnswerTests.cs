using Muster.Core.Engine;
using static Muster.Core.Tests.TestCrews;

namespace Muster.Core.Tests;

public sealed class FinalAnswerTests
{
    [Theory]
    [InlineData("Thought: I now can give a great answer\nFinal Answer: Owls hoot.", "Owls hoot.")]
    [InlineData("Thought: done\nFinal Answer:\n# Report\n\n- one\n- two\n", "# Report\n\n- one\n- two")]
    [InlineData("Final Answer: draft\nThought: better\nFinal Answer: final", "final")]
    [InlineData("```\nThought: done\nFinal Answer: Owls hoot.\n```", "Owls hoot.")]
    [InlineData("Thought: done\nFinal Answer: ```python\nprint(1)\n```", "```python\nprint(1)\n```")]
    [InlineData("Owls hoot.", "Owls hoot.")]
    [InlineData("  Owls hoot.\n", "  Owls hoot.\n")]
    [InlineData("final answer: lower case is not CrewAI's marker", "final answer: lower case is not CrewAI's marker")]
    public void From_KeepsWhatFollowsTheLastMarker_AndLeavesOtherTextAlone(string text, string answer) =>
        FinalAnswer.From(text).ShouldBe(answer);

    [Fact]
    public async Task RunAsync_AnswerInReActForm_TheTaskOutputIsTheFinalAnswer_AndTheStepKeepsTheThought()
    {
        var llm = new FakeChatClient().Reply("Thought: I know this\nFinal Answer: {\"title\": \"Owls\"}");
        var sink = new RecordingSink();
        var crew = Crew([Agent("a")], Task("only", "a"));

        var outcome = await NewEngine(new FakeLlmProvider(llm)).RunAsync(Guid.NewGuid(), crew, Muster.Core.Engine.RunCheckpoint.Empty, sink, CancellationToken.None);

        outcome.Output!.Raw.ShouldBe("{\"title\": \"Owls\"}");
        var step = sink.Single<AgentStep>();
        step.Thought.ShouldStartWith("Thought: I know this");
        step.Result.ShouldBe("{\"title\": \"Owls\"}");
    }
}
