using Muster.Server.Amp;
using Muster.Server.CrewRuns;
using Muster.Server.Crews;
using Muster.Server.Hosting;
using Muster.Server.Tokens;
using Muster.Server.Usage;

return await MusterHost.RunAsync(args, Console.Error);

/// <summary>The table of contents of the server; tests build the same application with their own settings.</summary>
public partial class Program
{
    /// <summary>Registers and maps everything; nothing is opened or checked until the application starts.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(MusterArgs.WithHostDefaults(MusterArgs.Normalize(args), Environment.GetEnvironmentVariable));
        configure?.Invoke(builder);

        builder.AddMuster()
            .AddWebhooks()
            .AddMcp()
            .AddCrewRuns()
            .AddProtocols()
            .AddApiDocs()
            .AddConsole()
            .AddTelemetry();

        var app = builder.Build();
        app.UseMusterRequestLogging();
        app.UseMusterErrors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapMusterHealth();
        app.MapMusterAmp(ResumeEndpoints.MapResume);
        app.MapMusterDeliveries();
        app.MapMusterTokens();
        app.MapMusterCrews();
        app.MapMusterCrewRuns();
        app.MapMusterUsage();
        app.MapMusterProtocols();
        app.MapMusterApiDocs();
        app.MapMusterConsole();
        app.MapMusterMetrics();
        return app;
    }
}
