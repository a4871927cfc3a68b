using Microsoft.Extensions.AI;
using Muster.Contracts;
using Muster.Core.Costs;

namespace Muster.Core.Engine;

/// <summary>Whose an LLM call is: the task and agent its events name, the model reference, and who pays for it.</summary>
internal sealed record LlmCaller(string TaskName, string Agent, string Model, AgentExecutor Payer)
{
    private const string Key = "muster.llm_caller";

    /// <summary>Marks <paramref name="options"/> as this caller's; the run's <see cref="LlmCallEventsChatClient"/> reads it.</summary>
    public void Attach(ChatOptions options)
    {
        options.AdditionalProperties ??= new();
        options.AdditionalProperties[Key] = this;
    }

    public static LlmCaller Of(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(Key, out var value) == true && value is LlmCaller caller
            ? caller
            : throw new InvalidOperationException("An LLM call in a run must say whose it is (LlmCaller.Attach).");
}

/// <summary>
/// The run's part of the chat pipeline: every LLM call of the run passes here, which holds it to the run's budget, writes its
/// <c>llm_call_*</c> events, prices it and charges its usage to the agent executor that made it (a task's usage includes its
/// co-workers' and guardrail calls).
/// </summary>
internal sealed class LlmCallEventsChatClient(IChatClient inner, RunEventWriter events, RunMeter meter) : DelegatingChatClient(inner)
{
    /// <summary>
    /// The <see cref="UsageDetails.AdditionalCounts"/> keys under which a provider's client reports input tokens written to its
    /// prompt cache (part of the input tokens, priced at <see cref="ModelPrice.CacheWrite"/>).
    /// </summary>
    internal static readonly string[] CacheWriteCounts = ["cache_creation_input_tokens", "CacheCreationInputTokens"];

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var caller = LlmCaller.Of(options);
        meter.BeforeLlmCall(caller.Model);
        ChatResponse response;
        try
        {
            await events.PublishAsync(new LlmCallStarted(caller.TaskName, caller.Agent, caller.Model));
            response = await base.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && !RunSinkException.IsIn(ex))
        {
            meter.LlmCallFailed();
            await events.PublishAsync(new LlmCallFailed(caller.TaskName, caller.Agent, caller.Model, ex.Message));
            throw;
        }
        catch
        {
            meter.LlmCallFailed();
            throw;
        }

        var counted = new TokenUsage(
            response.Usage?.InputTokenCount ?? 0,
            response.Usage?.OutputTokenCount ?? 0,
            response.Usage?.CachedInputTokenCount ?? 0,
            SuccessfulRequests: 1);
        var cost = meter.CostOf(caller.Model, counted, CacheWrites(response.Usage));
        var usage = new TokenUsage(counted.PromptTokens, counted.CompletionTokens, counted.CachedPromptTokens, counted.SuccessfulRequests, cost);
        caller.Payer.AddUsage(usage);
        await events.PublishAsync(new LlmCallCompleted(caller.TaskName, caller.Agent, caller.Model, usage));
        // Counted once recorded: a call that went past a limit is paid for, and stops the run.
        meter.AfterLlmCall(usage);
        return response;
    }

    private static long CacheWrites(UsageDetails? usage)
    {
        if (usage?.AdditionalCounts is not { } counts)
        {
            return 0;
        }

        foreach (var key in CacheWriteCounts)
        {
            if (counts.TryGetValue(key, out var written))
            {
                return written;
            }
        }

        return 0;
    }

    /// <summary>Not supported: Muster's engine does not stream.</summary>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Muster's engine does not stream.");
}
