using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Muster.Storage;
using Muster.Storage.Sql;
using Muster.Testing;

namespace Muster.Console.Tests;

/// <summary>
/// One real Muster server on loopback (SQLite, the LLM simulator, a two-task crew and a crew with a human review) and one
/// headless Debian chromium, shared by the console's browser tests; each test opens its own browser context (its own
/// cookies) and makes its own runs and tokens.
/// </summary>
public sealed class ConsoleServer : IAsyncLifetime
{
    /// <summary>Debian's chromium; Playwright's own browser builds cannot be downloaded here.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>A crew folder whose tasks name an agent that does not exist: the crews page shows why it did not load.</summary>
    public const string BrokenCrew = "broken";

    private IPlaywright? _playwright;

    public MusterServerFixture Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    /// <summary>The server's store, counting each run's reads.</summary>
    public CountingRunStore Store { get; private set; } = null!;

    public string BaseUrl => Server.BaseAddress.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        Server = await MusterServerFixture.StartAsync(new MusterServerSetup
        {
            WriteCrews = path =>
            {
                TestCrews.WriteTwoTaskCrew(path);
                TestCrews.WriteReviewCrew(path);
                TestCrews.Write(path, BrokenCrew, "name: broken", "a:\n  role: r\n  goal: g\n  backstory: b", "t:\n  description: d\n  expected_output: e\n  agent: nobody");
            },
            // Priced, so that run pages show a cost.
            Settings = new Dictionary<string, string?> { ["Muster:Llm:Prices:openai/simulated:Input"] = "3", ["Muster:Llm:Prices:openai/simulated:Output"] = "15" },
            Services = services => services.AddSingleton<IRunStore>(provider => CountingRunStore.Create(provider.GetRequiredService<SqlRunStore>())),
        });
        Store = CountingRunStore.Of(Server.Services.GetRequiredService<IRunStore>());
        Api = Server.CreateClient(Server.BootstrapToken);
        // Expectations wait on conditions; this is only the ceiling after which a broken build says so.
        Assertions.SetDefaultExpectTimeout((float)Eventually.DefaultLimit.TotalMilliseconds);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Root (as in CI) cannot use chromium's sandbox.
            Args = ["--no-sandbox"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Api?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>A fresh browser context (no cookies) and page at 1280 px, or <paramref name="width"/>.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
            ColorScheme = scheme,
            TimezoneId = "Europe/Paris",
        });
        context.SetDefaultTimeout((float)Eventually.DefaultLimit.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)Eventually.DefaultLimit.TotalMilliseconds);
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the login form and lands on the runs page.</summary>
    public async Task<IPage> SignedInPageAsync(string token, int width = 1280, ColorScheme scheme = ColorScheme.Light)
    {
        var page = await NewPageAsync(width, scheme);
        await page.GotoAsync("/ui/login");
        await page.GetByLabel("Organization or user token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/ui/runs$"));
        return page;
    }

    /// <summary>Starts a run through the AMP API with <paramref name="token"/> (default: the bootstrap organization token).</summary>
    public async Task<Guid> KickoffAsync(string crew, JsonObject inputs, string? token = null)
    {
        using var client = Server.CreateClient(token ?? Server.BootstrapToken);
        using var response = await client.PostAsync(
            $"/crews/{crew}/kickoff", new StringContent(new JsonObject { ["inputs"] = inputs }.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return Guid.Parse(JsonNode.Parse(body)!["kickoff_id"]!.GetValue<string>());
    }

    /// <summary>Creates a token through the API; returns its secret and id.</summary>
    public async Task<(string Secret, string Id)> CreateTokenAsync(JsonObject request)
    {
        using var response = await Api.PostAsJsonAsync("/api/tokens", request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, body);
        var json = JsonNode.Parse(body)!;
        return (json["token"]!.GetValue<string>(), json["info"]!["id"]!.GetValue<string>());
    }

    /// <summary>The run's state as the API reports it (<c>GET /api/crew-runs/{id}</c>).</summary>
    public async Task<string> StatusAsync(Guid runId)
    {
        var json = await Api.GetFromJsonAsync<JsonObject>($"/api/crew-runs/{runId}");
        return json!["status"]!.GetValue<string>();
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleServer>
{
    public const string Name = "console";
}
