using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Muster.Core.Engine;
using Muster.Server.Amp;
using Muster.Server.CrewRuns;
using Muster.Server.Crews;
using Muster.Server.Hosting;
using Muster.Server.Runs;
using Muster.Server.Tokens;
using Muster.Server.Webhooks;
using Muster.Testing;

namespace Muster.Server.Tests;

/// <summary>
/// How the server is composed: registering opens and checks nothing, a wrong setting fails at start with the line that
/// names it, every <c>Map…</c> refuses to map without the <c>Add…</c> it needs, and no permissive default is registered.
/// </summary>
public sealed class CompositionTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("Muster:Storage:Provider", "mysql")]
    [InlineData("Muster:Storage:RequestWriteTimeout", "soon")]
    [InlineData("Muster:SimulatedLlm", "maybe")]
    [InlineData("Muster:Execution:ShutdownGraceSeconds", "a while")]
    [InlineData("Muster:Engine:OutputJsonMaxRetries", "-1")]
    public async Task AWrongSetting_IsRegisteredAndBuilt_ThenFailsTheStartInOneLineNamingIt(string key, string value)
    {
        var app = Should.NotThrow(() => Build([], (key, value)));
        await using (app)
        {
            var error = await Should.ThrowAsync<Exception>(() => app.StartAsync());

            var line = StartupFailure.Describe(error);
            line.ShouldContain(key);
            line.ShouldNotContain("\n");
        }
    }

    [Fact]
    public async Task AnUnknownStorageProvider_FailsOnce_WithTheMessageThatNamesTheChoices()
    {
        await using var app = Build([], ("Muster:Storage:Provider", "mysql"));

        var error = await Should.ThrowAsync<OptionsValidationException>(() => app.StartAsync());

        error.Failures.ShouldBe(["Unknown Muster:Storage:Provider 'mysql'. Use 'sqlite' (default) or 'postgres'."]);
        StartupFailure.Describe(error).ShouldBe("invalid configuration: Unknown Muster:Storage:Provider 'mysql'. Use 'sqlite' (default) or 'postgres'.");
    }

    [Theory]
    [InlineData("sqlite", true)]
    [InlineData("PostgreSQL", false)]
    public async Task TheScheduler_TakesOverLeasesAtStart_OnlyWhenTheStorageProviderServesOneNode(string provider, bool singleNode)
    {
        await using var app = Build([], ("Muster:Storage:Provider", provider), ("Muster:Storage:ConnectionString", provider == "sqlite"
            ? $"Data Source={_folder.Combine("muster.db")}"
            : "Host=127.0.0.1;Database=muster"));

        app.Services.GetRequiredService<SchedulerIdentity>().SingleNode.ShouldBe(singleNode);
    }

    [Fact]
    public async Task TheProductionContainer_ChecksWebhookUrls_AndHasNoValidatorThatAcceptsEverything()
    {
        IServiceCollection? services = null;
        await using var app = Build([], builder => services = builder.Services);

        services!.Where(service => service.ServiceType == typeof(IWebhookUrlValidator)).ShouldHaveSingleItem()
            .ImplementationType.ShouldBe(typeof(WebhookUrlValidator));
        var validator = app.Services.GetRequiredService<IWebhookUrlValidator>();
        (await validator.CheckUrlAsync("http://127.0.0.1:9/hook", CancellationToken.None)).ShouldNotBeNull();
    }

    [Fact]
    public void WithoutAddWebhooks_NoWebhookUrlValidatorIsRegistered()
    {
        var builder = Bare();

        builder.AddMuster();

        builder.Services.ShouldNotContain(service => service.ServiceType == typeof(IWebhookUrlValidator));
    }

    [Fact]
    public async Task TheClock_IsRegisteredOnce()
    {
        IServiceCollection? services = null;
        await using var app = Build([], builder => services = builder.Services);

        services!.Count(service => service.ServiceType == typeof(TimeProvider)).ShouldBe(1);
    }

    [Fact]
    public void EngineOptions_AreSetUpByAddMusterAlone()
    {
        var outputs = _folder.Combine("outputs-here");
        var builder = Bare();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Muster:Engine:OutputJsonMaxRetries"] = "7",
            ["Muster:Outputs:Path"] = outputs,
            ["Muster:Limits:MaxRunBytes"] = "1048576",
        });

        builder.AddMuster();

        using var services = builder.Services.BuildServiceProvider();
        var engine = services.GetRequiredService<IOptions<CrewEngineOptions>>().Value;
        engine.OutputJsonMaxRetries.ShouldBe(7);
        engine.OutputRoot.ShouldBe(outputs);
        engine.MaxRunBytes.ShouldBe(1048576);
    }

    public static TheoryData<string, string[], string> Maps => new()
    {
        { nameof(HealthEndpoints.MapMusterHealth), [], "AddMuster()" },
        { nameof(TokensEndpoints.MapMusterTokens), [], "AddMuster()" },
        { nameof(AmpEndpoints.MapMusterAmp), [MusterFeatures.Muster], "AddWebhooks()" },
        { nameof(DeliveriesEndpoints.MapMusterDeliveries), [MusterFeatures.Muster], "AddWebhooks()" },
        { nameof(CrewsEndpoints.MapMusterCrews), [MusterFeatures.Muster, MusterFeatures.Webhooks], "AddCrewRuns()" },
        { nameof(CrewRunsEndpoints.MapMusterCrewRuns), [MusterFeatures.Muster], "AddCrewRuns()" },
        { nameof(ApiDocs.MapMusterApiDocs), [MusterFeatures.Muster], "AddApiDocs()" },
    };

    [Theory]
    [MemberData(nameof(Maps))]
    public void EachMap_WithoutTheFeatureItNeeds_ThrowsNamingTheAddCallToMake(string map, string[] added, string missing)
    {
        var builder = Bare();
        if (added.Contains(MusterFeatures.Muster))
        {
            var muster = builder.AddMuster();
            if (added.Contains(MusterFeatures.Webhooks))
            {
                muster.AddWebhooks();
            }
        }

        using var app = builder.Build();

        var error = Should.Throw<InvalidOperationException>(() => Map(app, map));
        error.Message.ShouldStartWith($"{map}() needs {missing}: call builder.AddMuster()");
        if (missing != "AddMuster()")
        {
            error.Message.ShouldContain($"builder.AddMuster().{missing}");
        }
    }

    [Fact]
    public void EveryMap_MapsOnceEveryFeatureIsAdded()
    {
        var builder = Bare();
        builder.AddMuster().AddWebhooks().AddMcp().AddCrewRuns().AddApiDocs();
        using var app = builder.Build();

        foreach (var map in Maps.Select(row => (string)row[0]))
        {
            Should.NotThrow(() => Map(app, map), map);
        }
    }

    private static void Map(WebApplication app, string map)
    {
        _ = map switch
        {
            nameof(HealthEndpoints.MapMusterHealth) => app.MapMusterHealth(),
            nameof(TokensEndpoints.MapMusterTokens) => app.MapMusterTokens(),
            nameof(AmpEndpoints.MapMusterAmp) => app.MapMusterAmp(ResumeEndpoints.MapResume),
            nameof(DeliveriesEndpoints.MapMusterDeliveries) => app.MapMusterDeliveries(),
            nameof(CrewsEndpoints.MapMusterCrews) => app.MapMusterCrews(),
            nameof(CrewRunsEndpoints.MapMusterCrewRuns) => app.MapMusterCrewRuns(),
            nameof(ApiDocs.MapMusterApiDocs) => (IEndpointRouteBuilder)app.MapMusterApiDocs(),
            _ => throw new ArgumentOutOfRangeException(nameof(map), map, null),
        };
    }

    /// <summary>An application with none of Muster's services (Production: the container is not checked as it is built).</summary>
    private static WebApplicationBuilder Bare() => WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });

    /// <summary>The server as Program builds it, with a test's settings on top of a temp store; built, not started.</summary>
    private WebApplication Build(string[] args, params (string Key, string Value)[] settings) =>
        Build(args, builder => builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))));

    private WebApplication Build(string[] args, Action<WebApplicationBuilder> configure)
    {
        Directory.CreateDirectory(_folder.Combine("crews"));
        var defaults = TestSettings.For(_folder, "http://127.0.0.1:9/v1/", "mst_composition_" + Guid.NewGuid().ToString("N"));
        return Program.Build(["--urls", "http://127.0.0.1:0", .. args], builder =>
        {
            builder.Configuration.AddInMemoryCollection(defaults);
            configure(builder);
        });
    }
}
