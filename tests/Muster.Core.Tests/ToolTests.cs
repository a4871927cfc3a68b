using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Muster.Core.Engine;
using Muster.Core.Llm;
using Muster.Core.Net;
using Muster.Core.Tools;

namespace Muster.Core.Tests;

public sealed class ToolTests
{
    [Theory]
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("(1 + 2) * 3", 9)]
    [InlineData("2 ^ 3 ^ 2", 512)]
    [InlineData("2 ** 10", 1024)]
    [InlineData("-3 + -(-2)", -1)]
    [InlineData("10 % 4 - 8 / 4", 0)]
    [InlineData("sqrt(16) + max(1, 7, 3) + round(2.345, 2)", 13.35)]
    [InlineData("1_000 * 1.5e2", 150000)]
    public void Calculator_EvaluatesArithmetic(string expression, double expected) =>
        ArithmeticEvaluator.Evaluate(expression).ShouldBe(expected, 1e-9);

    [Theory]
    [InlineData("__import__('os').system('ls')")]
    [InlineData("2 +")]
    [InlineData("1 / 0")]
    [InlineData("(((1)")]
    public void Calculator_RefusesAnythingButArithmetic(string expression) =>
        Should.Throw<FormatException>(() => ArithmeticEvaluator.Evaluate(expression));

    [Theory]
    [InlineData("http://[::127.0.0.1]:8080/", "loopback")]
    [InlineData("http://[64:ff9b::7f00:1]/", "loopback")]
    [InlineData("http://[2002:7f00:1::1]/", "loopback")]
    [InlineData("http://[::ffff:169.254.169.254]/latest/meta-data/", "link-local")]
    [InlineData("http://192.0.2.1/", "documentation")]
    [InlineData("http://[100::1]/", "discard-only")]
    public async Task HttpFetch_ToAnAddressTheSsrfGuardRefuses_IsRefusedBeforeConnecting(string url, string why)
    {
        var fetch = BuiltInTools.Create(new BuiltInToolOptions { HttpFetchTimeout = TimeSpan.FromSeconds(5) }, TimeProvider.System)
            .Single(t => t.Name == "http_fetch");

        var ex = await Should.ThrowAsync<HttpRequestException>(() => fetch.InvokeAsync(new AIFunctionArguments { ["url"] = url }).AsTask());

        var refused = ex.InnerException.ShouldBeOfType<DestinationRefusedException>();
        refused.Message.ShouldContain("non-public");
        refused.Message.ShouldContain(why);
    }

    [Fact]
    public async Task HttpFetch_RefusesLoopbackByDefault_AndFetchesItWhenAllowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/page";
        var serving = ServeOnceAsync(listener, "hello from loopback");

        var refused = BuiltInTools.Create(new BuiltInToolOptions(), TimeProvider.System).Single(t => t.Name == "http_fetch");
        var ex = await Should.ThrowAsync<Exception>(() => refused.InvokeAsync(new AIFunctionArguments { ["url"] = url }).AsTask());
        (ex.InnerException?.Message ?? ex.Message).ShouldContain("only reaches public internet addresses");

        var allowed = BuiltInTools.Create(new BuiltInToolOptions { HttpFetchAllowPrivateNetworks = true, HttpFetchMaxBytes = 10 }, TimeProvider.System)
            .Single(t => t.Name == "http_fetch");
        var result = await allowed.InvokeAsync(new AIFunctionArguments { ["url"] = url });
        var text = result?.ToString() ?? "";
        text.ShouldStartWith("hello from");
        text.ShouldContain("[truncated at 10 bytes]");
        await serving;
    }

    [Fact]
    public void AddMusterCore_RegistersEngineProviderAndCustomTools()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Muster:Llm:DefaultModel"] = "ollama/llama3.1",
                ["Muster:Llm:Providers:local:BaseUrl"] = "http://127.0.0.1:1/v1",
            })
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddMusterCore()
            .AddMusterLlm(configuration.GetSection("Muster:Llm"))
            .AddMusterTool("shout", "Upper-cases text", (string text) => text.ToUpperInvariant());
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<ICrewEngine>().ShouldBeOfType<CrewEngine>();
        provider.GetRequiredService<IToolRegistry>().Names.ShouldBe(["calculator", "http_fetch", "current_time", "shout"], ignoreOrder: true);
        var llms = provider.GetRequiredService<ILlmClientProvider>();
        llms.GetClient("local").ShouldNotBeNull();
        Should.Throw<LlmConfigurationException>(() => llms.GetClient("nowhere")).Message.ShouldContain("Unknown LLM provider 'nowhere'");
    }

    private static async Task ServeOnceAsync(TcpListener listener, string body)
    {
        using var client = await listener.AcceptTcpClientAsync();
        await using var stream = client.GetStream();
        var buffer = new byte[4096];
        _ = await stream.ReadAsync(buffer);
        var response = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
    }
}
