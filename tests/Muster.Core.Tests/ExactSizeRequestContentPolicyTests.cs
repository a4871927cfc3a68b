using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Muster.Llm;
using OpenAI.Chat;

namespace Muster.Core.Tests;

/// <summary>The pipeline step that sends a request body from an array of its exact size instead of pooled 16 KiB segments.</summary>
public sealed class ExactSizeRequestContentPolicyTests
{
    [Fact]
    public void AModelBody_IsReplacedByAnExactSizeCopyOfTheSameBytes()
    {
        var model = new ChatCompletionOptions { Temperature = 0.5f, MaxOutputTokenCount = 42, EndUserId = new string('u', 3000) };
        using var message = ClientPipeline.Create().CreateMessage();
        var original = BinaryContent.Create(model, ModelReaderWriterOptions.Json);
        message.Request.Content = original;
        var expected = ModelReaderWriter.Write(model, ModelReaderWriterOptions.Json).ToArray();

        ExactSizeRequestContentPolicy.Compact(message);

        var compact = message.Request.Content.ShouldNotBeNull();
        compact.ShouldNotBeSameAs(original);
        message.Request.Headers.TryGetValue("Content-Type", out var contentType).ShouldBeTrue();
        contentType.ShouldBe("application/json");
        compact.TryComputeLength(out var length).ShouldBeTrue();
        length.ShouldBe(expected.Length);
        using var written = new MemoryStream();
        compact.WriteTo(written);
        written.ToArray().ShouldBe(expected);
    }

    [Fact]
    public void ABodyOfUnknownLength_IsLeftAsItIs()
    {
        using var message = ClientPipeline.Create().CreateMessage();
        var streamed = new UnknownLengthContent();
        message.Request.Content = streamed;

        ExactSizeRequestContentPolicy.Compact(message);

        message.Request.Content.ShouldBeSameAs(streamed);
    }

    [Fact]
    public void NoBody_StaysNone()
    {
        using var message = ClientPipeline.Create().CreateMessage();

        ExactSizeRequestContentPolicy.Compact(message);

        message.Request.Content.ShouldBeNull();
    }

    [Fact]
    public async Task OnTheWire_AChatRequest_SaysItIsJson_AndItsLengthMatchesItsBody()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = ReceiveOneAsync(listener);
        var client = new OpenAiChatClient("wire", new Uri($"http://127.0.0.1:{port}/v1"), "sk-wire-test");

        var response = await client.GetResponseAsync(
            [new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, new string('x', 20_000))],
            new Microsoft.Extensions.AI.ChatOptions { ModelId = "m" });

        response.Text.ShouldBe("hi");
        var (head, body) = await received;
        head.ShouldContain("Content-Type: application/json", Case.Insensitive);
        head.ShouldContain($"Content-Length: {body.Length}", Case.Insensitive);
        var json = JsonNode.Parse(body)!;
        json["model"]!.GetValue<string>().ShouldBe("m");
        json["messages"]![0]!["content"]!.GetValue<string>().Length.ShouldBe(20_000);
    }

    /// <summary>Reads one request (head and a Content-Length body) and answers it with a chat completion.</summary>
    private static async Task<(string Head, string Body)> ReceiveOneAsync(TcpListener listener)
    {
        using var connection = await listener.AcceptTcpClientAsync();
        await using var stream = connection.GetStream();
        var bytes = new List<byte>();
        var buffer = new byte[8192];
        int headEnd;
        while ((headEnd = IndexOfBlankLine(bytes)) < 0)
        {
            var read = await stream.ReadAsync(buffer);
            bytes.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        var head = Encoding.ASCII.GetString(bytes.ToArray(), 0, headEnd);
        var length = int.Parse(head.Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)).Split(':')[1].Trim());
        while (bytes.Count < headEnd + 4 + length)
        {
            var read = await stream.ReadAsync(buffer);
            bytes.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        var body = Encoding.UTF8.GetString(bytes.ToArray(), headEnd + 4, length);
        const string answer = """{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""";
        var reply = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {answer.Length}\r\nConnection: close\r\n\r\n{answer}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(reply));
        return (head, body);
    }

    private static int IndexOfBlankLine(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private sealed class UnknownLengthContent : BinaryContent
    {
        public override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        public override void WriteTo(Stream stream, CancellationToken cancellationToken = default) => stream.Write("{}"u8);

        public override Task WriteToAsync(Stream stream, CancellationToken cancellationToken = default) => stream.WriteAsync("{}"u8.ToArray(), cancellationToken).AsTask();

        public override void Dispose()
        {
        }
    }
}
