using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Muster.Contracts;
using Muster.Core.Costs;
using Muster.Core.Crews;
using Muster.Core.Engine;
using Muster.Core.Guardrails;
using Muster.Core.Llm;
using Muster.Core.Tools;
using Muster.Llm;
using Muster.Tools.Mcp;

namespace Muster.Core.Tests;

/// <summary>A hand-written IChatClient: each call is answered by the next scripted function and recorded.</summary>
internal sealed class FakeChatClient : IChatClient
{
    private readonly ConcurrentQueue<Func<IReadOnlyList<ChatMessage>, CancellationToken, Task<ChatResponse>>> _replies = new();

    public List<(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

    public FakeChatClient Reply(string text, int promptTokens = 10, int completionTokens = 5) =>
        Then((_, _) => Task.FromResult(Response(new ChatMessage(ChatRole.Assistant, text), promptTokens, completionTokens)));

    public FakeChatClient ToolCalls(params (string Name, Dictionary<string, object?> Args)[] calls) =>
        Then((_, _) => Task.FromResult(Response(new ChatMessage(
            ChatRole.Assistant,
            [.. calls.Select((c, i) => (AIContent)new FunctionCallContent($"call_{Guid.NewGuid():N}_{i}", c.Name, c.Args))]), 20, 3)));

    public FakeChatClient Then(Func<IReadOnlyList<ChatMessage>, CancellationToken, Task<ChatResponse>> reply)
    {
        _replies.Enqueue(reply);
        return this;
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var copy = messages.ToList();
        lock (Calls)
        {
            Calls.Add((copy, options));
        }

        if (!_replies.TryDequeue(out var reply))
        {
            throw new InvalidOperationException("The fake LLM has no scripted reply left.");
        }

        return await reply(copy, cancellationToken);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    private static ChatResponse Response(ChatMessage message, int promptTokens, int completionTokens) =>
        new(message) { Usage = new UsageDetails { InputTokenCount = promptTokens, OutputTokenCount = completionTokens, TotalTokenCount = promptTokens + completionTokens } };
}

internal sealed class FakeLlmProvider(IChatClient client) : ILlmClientProvider
{
    public List<string> Providers { get; } = [];

    public IChatClient GetClient(string provider)
    {
        Providers.Add(provider);
        return provider == "missing" ? throw new LlmConfigurationException("Unknown LLM provider 'missing'.") : client;
    }
}

internal sealed class RecordingSink : IRunSink
{
    public List<RunEvent> Events { get; } = [];

    public ValueTask PublishAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        lock (Events)
        {
            Events.Add(runEvent);
        }

        return ValueTask.CompletedTask;
    }

    public IEnumerable<string> Types => Events.Select(e => e.Type);

    public RunEvent Single(string type) => Events.Single(e => e.Type == type);

    /// <summary>The data of every event of type <typeparamref name="T"/>, in order.</summary>
    public List<T> All<T>() where T : RunEventData => [.. Events.Select(e => e.Data).OfType<T>()];

    public T Single<T>() where T : RunEventData => All<T>().Single();
}

internal static class TestCrews
{
    public static AgentDefinition Agent(string key, string role = "Researcher", int maxIter = 25, params string[] tools) => new()
    {
        Key = key,
        Role = role,
        Goal = $"Goal of {key}",
        Backstory = $"Backstory of {key}",
        MaxIter = maxIter,
        Tools = tools,
    };

    public static TaskDefinition Task(string name, string agent, IReadOnlyList<string>? context = null, bool humanInput = false, string? outputFile = null) => new()
    {
        Name = name,
        Description = $"Do the {name} work carefully and well",
        ExpectedOutput = $"The {name} result",
        Agent = agent,
        Context = context,
        HumanInput = humanInput,
        OutputFile = outputFile,
    };

    public static CrewDefinition Crew(IReadOnlyList<AgentDefinition> agents, params TaskDefinition[] tasks) => new()
    {
        Name = "test_crew",
        Agents = agents,
        Tasks = tasks,
        Inputs = [],
    };

    public static CrewEngine NewEngine(
        ILlmClientProvider provider, IToolRegistry? tools = null, string? outputRoot = null, PriceList? prices = null, TimeProvider? timeProvider = null) =>
        NewEngine(provider, new LlmOptions(), tools: tools, engine: new CrewEngineOptions { OutputRoot = outputRoot ?? TempOutputRoot() }, timeProvider: timeProvider, prices: prices);

    /// <summary>The shipped prices under <paramref name="prices"/> (model, input and output dollars per million tokens).</summary>
    public static PriceList Prices(params (string Model, decimal Input, decimal Output)[] prices)
    {
        var options = new LlmPriceOptions();
        foreach (var (model, input, output) in prices)
        {
            options.Prices[model] = new ModelPrice { Input = input, Output = output };
        }

        return new PriceList(Options.Create(options));
    }

    /// <summary>A run's meter with no earlier spend.</summary>
    public static RunMeter Meter(CrewBudget? budget = null, PriceList? prices = null, TimeProvider? time = null) =>
        new(budget, RunCheckpoint.Empty, prices ?? Prices(), time ?? TimeProvider.System);

    /// <summary>The engine over the providers of <paramref name="llm"/> (the OpenAI-compatible client, usually to the simulator).</summary>
    /// <param name="timeProvider">The engine's clock (timestamps, execution times); the LLM client keeps the system's.</param>
    public static CrewEngine NewEngine(LlmOptions llm, IGuardrailRegistry? guardrails = null, int outputJsonMaxRetries = 3, TimeProvider? timeProvider = null, PriceList? prices = null) =>
        NewEngine(
            new LlmClientProvider(Options.Create(llm), Options.Create(new CrewEngineOptions()), TimeProvider.System, NullLoggerFactory.Instance),
            llm,
            guardrails,
            engine: new CrewEngineOptions { OutputRoot = TempOutputRoot(), OutputJsonMaxRetries = outputJsonMaxRetries },
            timeProvider: timeProvider,
            prices: prices);

    private static CrewEngine NewEngine(
        ILlmClientProvider provider, LlmOptions llm, IGuardrailRegistry? guardrails = null, IToolRegistry? tools = null, CrewEngineOptions? engine = null,
        TimeProvider? timeProvider = null, PriceList? prices = null) => new(
        provider,
        tools ?? ToolRegistry.BuiltIn,
        guardrails ?? GuardrailRegistry.Empty,
        Options.Create(llm),
        Options.Create(engine ?? new CrewEngineOptions { OutputRoot = TempOutputRoot() }),
        timeProvider ?? TimeProvider.System,
        NullLogger<CrewEngine>.Instance,
        Mcp,
        prices ?? Prices());

    private static string TempOutputRoot() => Path.Combine(Path.GetTempPath(), "muster-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The MCP tool source as the host registers it (no default servers).</summary>
    public static readonly IMcpToolSource Mcp = new ServiceCollection().AddLogging().AddMusterMcpTools().BuildServiceProvider().GetRequiredService<McpToolSource>();
}

/// <summary>A fresh temporary folder, deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("muster-core-").FullName;

    public string Write(string relativePath, string content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
