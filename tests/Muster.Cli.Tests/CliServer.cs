using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Muster.Testing;

namespace Muster.Cli.Tests;

/// <summary>
/// A real Muster server (in-process Kestrel on loopback, SQLite, the LLM simulator) with the <c>research</c> and
/// <c>support</c> crews, and the environment that points <c>muster</c> at it.
/// </summary>
public sealed class CliServer : IAsyncLifetime
{
    public MusterServerFixture Server { get; private set; } = null!;

    /// <summary>MUSTER_URL and MUSTER_TOKEN (the bootstrap organization token).</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["MUSTER_URL"] = Server.BaseAddress.ToString(),
        ["MUSTER_TOKEN"] = Server.BootstrapToken,
    };

    public async Task InitializeAsync() => Server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        WriteCrews = path =>
        {
            TestCrews.WriteTwoTaskCrew(path);
            TestCrews.WriteReviewCrew(path);
        },
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public Task<CliResult> RunAsync(params string[] args) => CliProcess.RunAsync(Environment, args);

    /// <summary>Polls the AMP status over HTTP until <paramref name="until"/> holds (a generous bound only guards against a hang).</summary>
    public async Task<JsonObject> WaitForStatusAsync(string crew, string id, Func<JsonObject, bool> until)
    {
        using var client = Server.CreateClient(Server.BootstrapToken);
        return await Eventually.Until(
            async () => (await client.GetFromJsonAsync<JsonObject>($"/crews/{crew}/status/{id}"))!, until, $"the status of run {id} never matched");
    }
}
