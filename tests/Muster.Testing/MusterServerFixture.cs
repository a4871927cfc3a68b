using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Muster.Simulator;

namespace Muster.Testing;

/// <summary>What a test server starts with. Crews go into <c>CrewsPath</c> through <see cref="WriteCrews"/>.</summary>
public sealed record MusterServerSetup
{
    /// <summary>Writes crews into the (empty) crews folder before the server starts; the default writes the two-task <c>research</c> crew.</summary>
    public Action<string> WriteCrews { get; init; } = path => TestCrews.WriteTwoTaskCrew(path);

    /// <summary>Extra configuration (for example <c>Muster:Compat:Legacy</c>); wins over the fixture's defaults.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Extra command-line arguments (for example <c>--simulated-llm</c>).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Registers services before the server's own (which are added with TryAdd), e.g. a store decorator that counts calls.</summary>
    public Action<IServiceCollection> Services { get; init; } = _ => { };
}

/// <summary>
/// The real Muster server, in-process on Kestrel at 127.0.0.1 on a free port, with a temp SQLite file, a temp crews folder,
/// a bootstrap organization token and the LLM simulator behind every provider.
/// </summary>
public sealed class MusterServerFixture : IAsyncDisposable
{
    private readonly TempFolder _folder;
    private readonly WebApplication _app;

    private MusterServerFixture(TempFolder folder, WebApplication app, LlmSimulator simulator, string bootstrapToken)
    {
        _folder = folder;
        _app = app;
        Simulator = simulator;
        BootstrapToken = bootstrapToken;
        BaseAddress = new Uri(app.Urls.First());
    }

    public Uri BaseAddress { get; }

    public LlmSimulator Simulator { get; }

    /// <summary>An organization token registered at start-up.</summary>
    public string BootstrapToken { get; }

    public IServiceProvider Services => _app.Services;

    public string CrewsPath => _folder.Combine("crews");

    public string DatabasePath => _folder.Combine("muster.db");

    public static async Task<MusterServerFixture> StartAsync(MusterServerSetup? setup = null)
    {
        setup ??= new MusterServerSetup();
        var folder = new TempFolder();
        var simulator = await LlmSimulator.StartAsync(new SimulatorOptions());
        var bootstrapToken = "mst_test_bootstrap_" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(folder.Combine("crews"));
        setup.WriteCrews(folder.Combine("crews"));

        var settings = TestSettings.For(folder, simulator.BaseUrl.ToString(), bootstrapToken);
        foreach (var (key, value) in setup.Settings)
        {
            settings[key] = value;
        }

        WebApplication? app = null;
        try
        {
            app = Program.Build(["--urls", "http://127.0.0.1:0", .. setup.Args], builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                setup.Services(builder.Services);
            });
            await app.StartAsync();
            return new MusterServerFixture(folder, app, simulator, bootstrapToken);
        }
        catch
        {
            // A server that fails to start (tests of start-up validation) must not leak its listener, simulator or files.
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            await simulator.DisposeAsync();
            folder.Dispose();
            throw;
        }
    }

    /// <summary>A client for the server; with <paramref name="token"/> it sends <c>Authorization: Bearer</c>.</summary>
    public HttpClient CreateClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = Eventually.DefaultLimit };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Simulator.DisposeAsync();
        _folder.Dispose();
    }
}

/// <summary>The configuration every test server shares: temp database and crews, bootstrap token, simulator as every provider.</summary>
public static class TestSettings
{
    public static Dictionary<string, string?> For(TempFolder folder, string simulatorBaseUrl, string bootstrapToken) => new()
    {
        ["Muster:CrewsPath"] = folder.Combine("crews"),
        ["Muster:Storage:Provider"] = "sqlite",
        ["Muster:Storage:ConnectionString"] = $"Data Source={folder.Combine("muster.db")}",
        ["Muster:Auth:BootstrapToken"] = bootstrapToken,
        ["Muster:Execution:PollSeconds"] = "1",
        ["Muster:Execution:ShutdownGraceSeconds"] = "1",
        ["Muster:Llm:DefaultModel"] = "openai/simulated",
        ["Muster:Llm:Providers:openai:BaseUrl"] = simulatorBaseUrl,
        ["Muster:Llm:Providers:openai:ApiKey"] = "test-key",
    };
}
