using System.Text.Json.Nodes;

namespace Muster.Simulator.Tests;

public sealed class StructuredOutputTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private LlmSimulator _simulator = null!;

    public async Task InitializeAsync() => _simulator = await LlmSimulator.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task JsonSchema_DefaultAnswer_IsTheSmallestObjectWithRequiredProperties()
    {
        var body = Chat.Request("Summarise");
        body["response_format"] = JsonNode.Parse("""
            {"type":"json_schema","json_schema":{"name":"report","strict":true,"schema":{
              "type":"object",
              "properties":{
                "title":{"type":"string"},
                "score":{"type":"integer","minimum":3},
                "ratio":{"type":"number"},
                "ok":{"type":"boolean"},
                "tags":{"type":"array","items":{"type":"string"},"minItems":1},
                "kind":{"type":"string","enum":["a","b"]},
                "author":{"$ref":"#/$defs/person"},
                "note":{"type":["string","null"]},
                "optional":{"type":"string"}
              },
              "required":["title","score","ratio","ok","tags","kind","author","note"],
              "$defs":{"person":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}
            }}}
            """);

        var content = Chat.Content(await Chat.ReadAsync(await Chat.PostAsync(_http, _simulator, body)));

        var answer = JsonNode.Parse(content!)!.AsObject();
        ((string?)answer["title"])!.ShouldContain("simulated");
        ((int)answer["score"]!).ShouldBe(3);
        ((double)answer["ratio"]!).ShouldBe(0);
        ((bool)answer["ok"]!).ShouldBeFalse();
        ((string?)answer["tags"]![0])!.ShouldContain("simulated");
        ((string?)answer["kind"]).ShouldBe("a");
        ((string?)answer["author"]!["name"])!.ShouldContain("simulated");
        ((string?)answer["note"])!.ShouldContain("simulated");
        answer.ContainsKey("optional").ShouldBeFalse();
    }

    [Fact]
    public async Task JsonObject_DefaultAnswer_IsValidJsonThatSaysSimulated()
    {
        var body = Chat.Request("Give me JSON");
        body["response_format"] = new JsonObject { ["type"] = "json_object" };

        var content = Chat.Content(await Chat.ReadAsync(await Chat.PostAsync(_http, _simulator, body)));

        ((string?)JsonNode.Parse(content!)!["answer"]).ShouldStartWith("[Simulated answer");
    }
}
