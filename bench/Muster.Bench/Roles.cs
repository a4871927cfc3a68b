using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Muster.Simulator;

namespace Muster.Bench;

/// <summary>The two helper processes the orchestrator starts: the LLM simulator and the ceiling app.</summary>
internal static class Roles
{
    /// <summary>
    /// The loopback LLM simulator on its own, its latency changed at run time by <c>latency MS</c> lines on stdin (so one
    /// scenario can finish some runs and hold others running). Exits when stdin closes.
    /// </summary>
    public static async Task<int> SimulatorAsync(string[] args)
    {
        var latencyMs = int.Parse(Option(args, "--latency-ms") ?? "0", CultureInfo.InvariantCulture);
        await using var simulator = await LlmSimulator.StartAsync(new SimulatorOptions
        {
            Latency = TimeSpan.FromMilliseconds(latencyMs),
            RecordRequests = false,
            Models = ["simulated"],
        });
        Console.WriteLine($"LISTENING {simulator.BaseUrl}");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["latency", var ms])
            {
                simulator.Latency = TimeSpan.FromMilliseconds(int.Parse(ms, CultureInfo.InvariantCulture));
                Console.WriteLine($"LATENCY {ms}");
            }
        }

        return 0;
    }

    /// <summary>
    /// The ceiling: bare Kestrel answering <c>/NAME</c> with the bytes of <c>DIR/NAME.json</c> from memory, no routing,
    /// no auth, no storage — what a request of that size costs on this machine with nothing of Muster in it.
    /// </summary>
    public static async Task<int> CeilingAsync(string[] args)
    {
        var directory = Option(args, "--body-dir") ?? throw new ArgumentException("--body-dir is required");
        var bodies = Directory.GetFiles(directory, "*.json")
            .ToDictionary(f => "/" + Path.GetFileNameWithoutExtension(f), File.ReadAllBytes, StringComparer.Ordinal);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0);
        });
        await using var app = builder.Build();
        app.Run(async context =>
        {
            if (HttpMethods.IsPost(context.Request.Method))
            {
                // Read the body as the server must, then answer.
                await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            }

            if (!bodies.TryGetValue(context.Request.Path.Value ?? "", out var body))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        });
        await app.StartAsync();
        Console.WriteLine($"LISTENING {app.Urls.First()}");
        while (await Console.In.ReadLineAsync() is not null)
        {
        }

        await app.StopAsync();
        return 0;
    }

    /// <summary>Starts this executable in another role as a child process.</summary>
    public static Task<ChildProcess> StartSelfAsync(string name, string[] args)
    {
        var host = Environment.ProcessPath!;
        string[] arguments = Path.GetFileNameWithoutExtension(host) == "dotnet" ? [typeof(Roles).Assembly.Location, .. args] : args;
        return ChildProcess.StartAsync(name, host, arguments, new Dictionary<string, string>(), Directory.GetCurrentDirectory());
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
