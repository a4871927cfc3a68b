using Muster.Testing;

namespace Muster.Server.Tests.CrewRuns;

/// <summary>
/// One server shared by the tests of a class, with the <c>research</c> and <c>notes</c> crews. Tests stay independent
/// by acting through a user token of their own, whose history holds only their runs.
/// </summary>
public sealed class CrewRunsServer : IAsyncLifetime
{
    public MusterServerFixture Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await MusterServerFixture.StartAsync(new MusterServerSetup
    {
        WriteCrews = path =>
        {
            TestCrews.WriteTwoTaskCrew(path);
            TestCrews.WriteTwoTaskCrew(path, "notes");
        },
        Settings = new Dictionary<string, string?>
        {
            ["Muster:AdHocCrews:MaxAgents"] = "3",
            ["Muster:AdHocCrews:AllowedModels:0"] = "openai/simulated",
        },
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public HttpClient Org() => Server.CreateClient(Server.BootstrapToken);

    /// <summary>A client with a new user token for a user no other test uses.</summary>
    public Task<TestUser> NewUserAsync() => NewUserAsync(Server);

    /// <summary>A client of <paramref name="server"/> with a new user token for a user no other test uses.</summary>
    public static async Task<TestUser> NewUserAsync(MusterServerFixture server)
    {
        using var org = server.CreateClient(server.BootstrapToken);
        var userId = "user-" + Guid.NewGuid().ToString("N")[..8];
        return new TestUser(server.CreateClient(await org.CreateTokenAsync("user", userId)), userId);
    }
}

/// <summary>A user and a client that acts with that user's token.</summary>
public sealed record TestUser(HttpClient Client, string Id) : IDisposable
{
    public void Dispose() => Client.Dispose();
}
