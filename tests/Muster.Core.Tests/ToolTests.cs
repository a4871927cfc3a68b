using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Muster.Core.Engine;
using Muster.Core.Llm;
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
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.20.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700::1111", true)]
    public void HttpFetch_ClassifiesAddresses(string address, bool isPublic) =>
        HttpFetcher.IsPublic(IPAddress.Parse(address)).ShouldBe(isPublic);

    [Fact]
    public async Task HttpFetch_RefusesLoopbackByDefault_AndFetchesItWhenAllowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/page";
        var serving = ServeOnceAsync(listener, "hello from loopback");

        var refused = BuiltInTools.Create(new BuiltInToolOptions(), TimeProvider.System).Single(t => t.Name == "http_fetch");
        var ex = await Should.ThrowAsync<Exception>(() => refused.InvokeAsync(new AIFunctionArguments { ["url"] = url }).AsTask());
        (ex.InnerException?.Message ?? ex.Message).ShouldContain("not a public internet address");

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
            .AddMusterCore(configuration.GetSection("Muster:Llm"))
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
