using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// For tests that start real server processes of their own: a folder with the two-task crew (the processes' working folder
/// and store) and an LLM simulator they share, made before each test and removed after it.
/// </summary>
public abstract class ServerProcessTest : IAsyncLifetime
{
    protected TempFolder Folder { get; } = new();

    protected LlmSimulator Simulator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Simulator = await LlmSimulator.StartAsync(new SimulatorOptions());
        TestCrews.WriteTwoTaskCrew(Folder.Combine("crews"));
    }

    public async Task DisposeAsync()
    {
        await Simulator.DisposeAsync();
        Folder.Dispose();
    }
}
