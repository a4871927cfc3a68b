using Muster.Server.Endpoints;
using Muster.Server.Hosting;

return await MusterHost.RunAsync(args, Console.Error);

/// <summary>The table of contents of the server; tests build the same application with their own settings.</summary>
public partial class Program
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(MusterArgs.WithHostDefaults(MusterArgs.Normalize(args), Environment.GetEnvironmentVariable));
        configure?.Invoke(builder);

        builder.AddMusterHosting();
        await builder.AddMusterSimulatedLlmAsync();
        builder.Services.AddMusterCore(builder.Configuration.GetSection("Muster:Llm"));
        builder.Services.AddMusterStorage(builder.Configuration.GetSection("Muster:Storage"));
        builder.Services
            .AddMusterAuth()
            .AddMusterCrews()
            .AddMusterExecution(builder.Configuration)
            .AddMusterWebhooks(builder.Configuration)
            .AddMusterMcp()
            .AddMusterCrewRuns()
            .AddMusterProtocols()
            .AddMusterApiDocs();

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
        app.MapMusterProtocols();
        app.MapMusterApiDocs();
        return app;
    }
}
