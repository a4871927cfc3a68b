using Muster.Core.Costs;
using Muster.Core.Crews;
using Muster.Core.Guardrails;
using Muster.Core.Llm;
using Muster.Core.Tools;

namespace Muster.Core.Engine;

/// <summary>
/// What the engine holds for one run while it runs: the crew, where its events go, its progress so far, and the services
/// and settings its tasks use. <see cref="CrewEngine"/> makes one per call; the process and the task pipeline share it.
/// </summary>
/// <param name="Crew">The interpolated crew snapshot.</param>
/// <param name="Events">Numbers the run's events and sends them to the sink.</param>
/// <param name="Progress">The finished tasks' outputs and the usage so far, the checkpoint's included.</param>
/// <param name="Llms">The providers' chat pipelines.</param>
/// <param name="Tools">The built-in and registered tools.</param>
/// <param name="Guardrails">The guardrails registered as functions.</param>
/// <param name="Mcp">The run's MCP connections.</param>
/// <param name="LlmOptions"><c>Muster:Llm</c>: the default model, and which providers take a JSON schema.</param>
/// <param name="EngineOptions"><c>Muster:Engine</c>.</param>
/// <param name="TimeProvider">The clock of execution times.</param>
/// <param name="Meter">Prices the run's LLM calls and holds the run to its budget.</param>
internal sealed record RunContext(
    CrewDefinition Crew,
    RunEventWriter Events,
    RunProgress Progress,
    ILlmClientProvider Llms,
    IToolRegistry Tools,
    IGuardrailRegistry Guardrails,
    IMcpToolSession Mcp,
    LlmOptions LlmOptions,
    CrewEngineOptions EngineOptions,
    TimeProvider TimeProvider,
    RunMeter Meter);
