using System.Text.Json.Nodes;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Server.Tests.Protocols;

/// <summary>
/// A Muster server for the protocol tests: the two-task <c>research</c> crew ({topic}, the default crew) and the one-task
/// <c>support</c> crew ({question}) whose task pauses for review. A topic or question that mentions <see cref="Explode"/>
/// makes the simulated LLM refuse, so the run fails.
/// </summary>
internal static class ProtocolServer
{
    public const string Explode = "explode-please";

    public static async Task<MusterServerFixture> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["Muster:DefaultCrew"] = "research" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            WriteCrews = path =>
            {
                TestCrews.WriteTwoTaskCrew(path);
                TestCrews.WriteReviewCrew(path);
            },
            Settings = all,
        });
        server.Simulator.Responder = request => request.Mentions(Explode) ? SimulatedReply.Error(400, "the simulated provider refuses this request") : null;
        return server;
    }

    /// <summary>The run as <c>GET /api/crew-runs/{id}</c> shows it.</summary>
    public static async Task<JsonObject> RunRecordAsync(this MusterServerFixture server, Guid runId, string? token = null)
    {
        using var http = server.CreateClient(token ?? server.BootstrapToken);
        var (status, body) = await http.GetJsonAsync($"/api/crew-runs/{runId}");
        status.ShouldBe(System.Net.HttpStatusCode.OK, body.ToJsonString());
        return body;
    }

    /// <summary>Waits until the run's record says it finished, and returns the record.</summary>
    public static Task<JsonObject> FinishedRecordAsync(this MusterServerFixture server, Guid runId) =>
        Eventually.Until(
            () => server.RunRecordAsync(runId),
            record => record["status"]?.GetValue<string>() is "completed" or "failed",
            $"run {runId} never finished");
}
