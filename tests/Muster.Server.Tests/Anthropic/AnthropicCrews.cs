using Muster.Testing;

namespace Muster.Server.Tests.Anthropic;

/// <summary>Crews whose agents use <c>anthropic/claude-…</c> models, and a server whose <c>anthropic</c> provider is the stand-in.</summary>
internal static class AnthropicCrews
{
    public const string ApiKey = "sk-ant-test-secret-4711";
    public const string Model = "claude-sonnet-4-5";

    public static Task<MusterServerFixture> StartServerAsync(AnthropicStandIn standIn, bool withKey = true)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Muster:Llm:Providers:anthropic:BaseUrl"] = standIn.BaseUrl.ToString(),
            // An hour of backoff: a retried run finishes within the tests' ceilings only by honouring retry-after.
            ["Muster:Llm:RetryBaseDelay"] = "01:00:00",
            ["Muster:Llm:RetryMaxDelay"] = "01:00:00",
        };
        if (withKey)
        {
            settings["Muster:Llm:Providers:anthropic:ApiKey"] = ApiKey;
        }

        return MusterServerFixture.StartAsync(new MusterServerSetup { WriteCrews = Write, Settings = settings });
    }

    private static void Write(string crewsPath)
    {
        TestCrews.Write(crewsPath, "claude",
            $"""
            name: claude
            llm: anthropic/{Model}
            """,
            """
            analyst:
              role: "Tide Analyst"
              goal: "Explain {topic}"
              backstory: "Knows the sea."
            """,
            """
            explain:
              description: "Explain {topic} in one sentence."
              expected_output: "One sentence."
              agent: analyst
            """);
        TestCrews.Write(crewsPath, "claude_tools",
            $"""
            name: claude_tools
            llm: anthropic/{Model}
            """,
            """
            mathematician:
              role: "Mathematician"
              goal: "Compute"
              backstory: "Checks every sum."
              tools: [calculator]
            """,
            """
            compute:
              description: "Compute 2+3, 10*10 and sqrt(81)."
              expected_output: "The three results."
              agent: mathematician
            """);
        TestCrews.Write(crewsPath, "claude_json",
            $"""
            name: claude_json
            llm: anthropic/{Model}
            """,
            """
            editor:
              role: "Editor"
              goal: "Write headlines"
              backstory: "Short and true."
            """,
            """
            headline:
              description: "Write a headline about {topic}."
              expected_output: "A headline and its length in words."
              agent: editor
              output_json:
                type: object
                properties:
                  headline: {type: string, minLength: 5}
                  words: {type: integer, minimum: 1}
                required: [headline, words]
            """);
    }
}
