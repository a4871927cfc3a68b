using Muster.Contracts.Amp;
using Muster.Simulator;
using Muster.Testing;

namespace Muster.Client.Tests.Live;

/// <summary>
/// A real Muster server (in-process Kestrel on loopback, SQLite, the LLM simulator) with the two-task <c>research</c> crew
/// the human-review <c>support</c> crew and the <c>reports</c> crew (an <c>output_file</c>), shared by one test class. Each test resets the simulator's behaviour first.
/// </summary>
public sealed class LiveServer : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = Eventually.DefaultLimit };

    public MusterServerFixture Server { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        Server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            WriteCrews = path =>
            {
                TestCrews.WriteTwoTaskCrew(path);
                TestCrews.WriteReviewCrew(path);
                TestCrews.Write(path, "reports", "name: reports\nprocess: sequential\n",
                    """
                    writer:
                      role: "Writer"
                      goal: "Write about {topic}"
                      backstory: "A clear writer."
                    """,
                    """
                    report:
                      description: "Write a report on {topic}."
                      expected_output: "A report."
                      agent: writer
                      output_file: "reports/{topic}.md"
                    """);
            },
            Settings = new Dictionary<string, string?>
            {
                ["Muster:Webhooks:AllowPrivateNetworks"] = "true",
                ["Muster:Webhooks:PollInterval"] = "00:00:00.050",
            },
        });
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await Server.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    /// <summary>A client with the bootstrap organization token (or <paramref name="token"/>), AMP calls under <c>/crews/{crew}</c>.</summary>
    public MusterClient Client(string? crew = "research", string? token = null) => new(_http, new MusterClientOptions
    {
        BaseUrl = Server.BaseAddress, Token = token ?? Server.BootstrapToken, Crew = crew, StreamReconnectDelay = TimeSpan.FromMilliseconds(50),
    });

    /// <summary>Default simulated answers, no latency.</summary>
    public void ResetSimulator(TimeSpan? latency = null, Func<SimulatedRequest, SimulatedReply?>? responder = null)
    {
        Server.Simulator.Latency = latency ?? TimeSpan.Zero;
        Server.Simulator.Responder = responder;
    }

    public static KickoffAndWaitOptions FastPolling => new()
    {
        PollInterval = TimeSpan.FromMilliseconds(50), MaxPollInterval = TimeSpan.FromMilliseconds(200), Timeout = Eventually.DefaultLimit,
    };

    /// <summary>Polls the status until <paramref name="until"/> holds (a generous bound only guards against a hang).</summary>
    public static Task<StatusResponse> PollAsync(MusterClient client, Guid id, Func<StatusResponse, bool> until) =>
        Eventually.Until(() => client.GetStatusAsync(id), until, $"the status of run {id} never matched");
}
