using System.ComponentModel;
using Microsoft.Extensions.AI;
using Muster.Core.Crews;

namespace Muster.Core.Engine;

/// <summary>Hands a piece of work or a question to a co-worker and returns the co-worker's answer.</summary>
internal delegate Task<string> CoworkerWork(AgentDefinition coworker, string work, string context, CancellationToken cancellationToken);

/// <summary>
/// CrewAI's delegation tools, given to a hierarchical crew's manager and to agents with <c>allow_delegation</c>:
/// "Delegate work to coworker" {task, context, coworker} and "Ask question to coworker" {question, context, coworker}.
/// The model sees names OpenAI accepts (no spaces); events carry CrewAI's names.
/// </summary>
internal static class CoworkerTools
{
    public const string DelegateWork = "Delegate work to coworker";
    public const string AskQuestion = "Ask question to coworker";

    public static IReadOnlyList<AIFunction> Create(IReadOnlyList<AgentDefinition> coworkers, CoworkerWork work)
    {
        if (coworkers.Count == 0)
        {
            return [];
        }

        var names = string.Join(", ", coworkers.Select(c => c.Role.Trim()));
        return
        [
            AIFunctionFactory.Create(
                ([Description("The task to delegate")] string task,
                 [Description("The context for the task")] string context,
                 [Description("The role/name of the coworker to delegate to")] string coworker,
                 CancellationToken cancellationToken) => work(Find(coworkers, coworker), task, context, cancellationToken),
                Options(
                    "delegate_work_to_coworker",
                    DelegateWork,
                    $"Delegate a specific task to one of these coworkers: {names}. Give the coworker's role, the task to do, and ALL the " +
                    "context needed to do it: they know nothing about the task, so explain everything instead of referring to it.")),
            AIFunctionFactory.Create(
                ([Description("The question to ask")] string question,
                 [Description("The context for the question")] string context,
                 [Description("The role/name of the coworker to ask")] string coworker,
                 CancellationToken cancellationToken) => work(Find(coworkers, coworker), question, context, cancellationToken),
                Options(
                    "ask_question_to_coworker",
                    AskQuestion,
                    $"Ask a specific question to one of these coworkers: {names}. Give the coworker's role, the question, and ALL the " +
                    "context needed to answer it: they know nothing about it, so explain everything instead of referring to it.")),
        ];
    }

    /// <summary>The co-worker whose role matches <paramref name="name"/>, ignoring case, surrounding spaces and quotes.</summary>
    /// <exception cref="ArgumentException">No co-worker has that role; the message lists the valid ones for the model to pick from.</exception>
    public static AgentDefinition Find(IReadOnlyList<AgentDefinition> coworkers, string? name)
    {
        var wanted = (name ?? "").Trim().Trim('"', '\'').Trim();
        return coworkers.FirstOrDefault(c => string.Equals(c.Role.Trim(), wanted, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException(
                $"Co-worker '{wanted}' not found. It must be one of the following options:\n" +
                string.Join('\n', coworkers.Select(c => "- " + c.Role.Trim())));
    }

    private static AIFunctionFactoryOptions Options(string name, string displayName, string description) => new()
    {
        Name = name,
        Description = description,
        AdditionalProperties = new Dictionary<string, object?> { [AgentExecutor.DisplayNameProperty] = displayName },
    };
}
