using Muster.Core.Crews;
using Microsoft.Extensions.AI;
using Muster.Contracts;
using Muster.Core.Engine;

namespace Muster.Core.Tests;

/// <summary>The run's part of the chat pipeline: each LLM call's events and the usage it charges to its caller.</summary>
public sealed class LlmCallEventsChatClientTests
{
    private readonly RecordingSink _sink = new();

    [Fact]
    public async Task AnAnsweredCall_IsAnnouncedAndItsUsageChargedToTheCaller()
    {
        using var events = new RunEventWriter(Guid.NewGuid(), RunCheckpoint.Empty, null, InputTexts.None, _sink, TimeProvider.System, CancellationToken.None);
        var payer = new AgentExecutor(events, TestCrews.Meter(), CancellationToken.None);
        var client = new LlmCallEventsChatClient(new FakeChatClient().Reply("hi", promptTokens: 12, completionTokens: 3), events, TestCrews.Meter());
        var options = new ChatOptions();
        new LlmCaller("research", "Researcher", "sim/test-model", payer).Attach(options);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")], options);

        response.Text.ShouldBe("hi");
        _sink.Events.Select(e => e.Data).ShouldBe([
            new LlmCallStarted("research", "Researcher", "sim/test-model"),
            new LlmCallCompleted("research", "Researcher", "sim/test-model", new TokenUsage(12, 3, 0, 1, CostUsd: null))]);
        payer.Usage.ShouldBe(new TokenUsage(12, 3, 0, 1, CostUsd: null));
    }

    [Fact]
    public async Task AFailedCall_IsAnnouncedAndRethrown_AndChargesNothing()
    {
        using var events = new RunEventWriter(Guid.NewGuid(), RunCheckpoint.Empty, null, InputTexts.None, _sink, TimeProvider.System, CancellationToken.None);
        var payer = new AgentExecutor(events, TestCrews.Meter(), CancellationToken.None);
        var client = new LlmCallEventsChatClient(new FakeChatClient().Then((_, _) => throw new InvalidOperationException("provider down")), events, TestCrews.Meter());
        var options = new ChatOptions();
        new LlmCaller("research", "Researcher", "sim/test-model", payer).Attach(options);

        await Should.ThrowAsync<InvalidOperationException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")], options));

        _sink.Events.Select(e => e.Data).ShouldBe([
            new LlmCallStarted("research", "Researcher", "sim/test-model"),
            new LlmCallFailed("research", "Researcher", "sim/test-model", "provider down")]);
        payer.Usage.ShouldBe(TokenUsage.Zero);
    }

    [Fact]
    public async Task ACallThatDoesNotSayWhoseItIs_IsRefused()
    {
        using var events = new RunEventWriter(Guid.NewGuid(), RunCheckpoint.Empty, null, InputTexts.None, _sink, TimeProvider.System, CancellationToken.None);
        var fake = new FakeChatClient().Reply("never");
        var client = new LlmCallEventsChatClient(fake, events, TestCrews.Meter());

        await Should.ThrowAsync<InvalidOperationException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")], new ChatOptions()));

        fake.Calls.ShouldBeEmpty();
        _sink.Events.ShouldBeEmpty();
    }
}
