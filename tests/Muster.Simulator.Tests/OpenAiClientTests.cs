using System.ClientModel;
using OpenAI;
using OpenAI.Chat;

namespace Muster.Simulator.Tests;

/// <summary>The official OpenAI .NET client against the simulator: what Muster's engine will actually use.</summary>
public sealed class OpenAiClientTests : IAsyncLifetime
{
    private LlmSimulator _simulator = null!;

    public async Task InitializeAsync() => _simulator = await LlmSimulator.StartAsync();

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    private ChatClient Client() =>
        new("muster-simulator", new ApiKeyCredential("sk-simulated"), new OpenAIClientOptions { Endpoint = _simulator.BaseUrl });

    [Fact]
    public async Task OpenAiClient_ReadsTheDefaultAnswerAndUsage()
    {
        ChatCompletion completion = await Client().CompleteChatAsync([new UserChatMessage("Hello there simulator")]);

        completion.Content[0].Text.ShouldStartWith("[Simulated answer");
        completion.FinishReason.ShouldBe(ChatFinishReason.Stop);
        completion.Usage.InputTokenCount.ShouldBe(3);
        completion.Usage.TotalTokenCount.ShouldBe(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task OpenAiClient_ReadsToolCalls_AndSendsToolsTheSimulatorRecords()
    {
        _simulator.Enqueue(SimulatedReply.ToolCalls(new SimulatedToolCall("get_weather", """{"city":"Oslo"}""")));
        var options = new ChatCompletionOptions
        {
            Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather of a city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}""")) },
        };

        ChatCompletion completion = await Client().CompleteChatAsync([new UserChatMessage("Weather?")], options);

        completion.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        completion.ToolCalls.ShouldHaveSingleItem().FunctionName.ShouldBe("get_weather");
        completion.ToolCalls[0].FunctionArguments.ToString().ShouldBe("""{"city":"Oslo"}""");
        completion.ToolCalls[0].Id.ShouldStartWith("call_");
        _simulator.Requests.ShouldHaveSingleItem().ToolNames.ShouldBe(["get_weather"]);
    }

    [Fact]
    public async Task OpenAiClient_RetriesA429_HonouringRetryAfter()
    {
        _simulator.Enqueue(SimulatedReply.Error(429, "Rate limited", TimeSpan.FromMilliseconds(50)), SimulatedReply.Text("after retry"));

        ChatCompletion completion = await Client().CompleteChatAsync([new UserChatMessage("hi")]);

        completion.Content[0].Text.ShouldBe("after retry");
        _simulator.CompletionCount.ShouldBe(2);
    }

    [Fact]
    public async Task OpenAiClient_SurfacesA400ErrorWithTheSimulatorsMessage()
    {
        _simulator.Enqueue(SimulatedReply.Error(400, "Context length exceeded"));

        var ex = await Should.ThrowAsync<ClientResultException>(() => Client().CompleteChatAsync([new UserChatMessage("hi")]));

        ex.Status.ShouldBe(400);
        ex.Message.ShouldContain("Context length exceeded");
    }
}
