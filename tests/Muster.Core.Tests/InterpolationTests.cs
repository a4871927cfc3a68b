using System.Text.Json.Nodes;
using Muster.Core.Crews;

namespace Muster.Core.Tests;

public sealed class InterpolationTests
{
    private static CrewDefinition CrewWith(string description, string role = "Analyst of {topic}", string? outputFile = null) => new()
    {
        Name = "c",
        Agents = [TestCrews.Agent("a") with { Role = role }],
        Tasks = [TestCrews.Task("t", "a") with { Description = description, OutputFile = outputFile }],
        Inputs = [],
    };

    [Fact]
    public void FindPlaceholders_IgnoresJsonBraces_AndKeepsFirstSeenOrder()
    {
        var names = CrewInterpolator.FindPlaceholders("Answer as {\"name\": \"x\", \"n\": {1}} about {topic} in {year} for {topic} and {my-var}");
        names.ShouldBe(["topic", "year", "my-var"]);
    }

    [Theory]
    [InlineData("{ topic }")]
    [InlineData("{1abc}")]
    [InlineData("{a.b}")]
    [InlineData("{}")]
    public void FindPlaceholders_SkipsBracesThatAreNotNames(string text) => CrewInterpolator.FindPlaceholders(text).ShouldBeEmpty();

    [Fact]
    public void Interpolate_FillsRoleDescriptionAndOutputFile_AndLeavesJsonLiteral()
    {
        var crew = CrewWith("Write about {topic}. Reply as {\"title\": \"...\"}", outputFile: "out/{topic}.md");
        var result = CrewInterpolator.Interpolate(crew, new JsonObject { ["topic"] = "AI agents" });

        result.Agents[0].Role.ShouldBe("Analyst of AI agents");
        result.Tasks[0].Description.ShouldBe("Write about AI agents. Reply as {\"title\": \"...\"}");
        result.Tasks[0].OutputFile.ShouldBe("out/AI agents.md");
        result.InputValues!["topic"]!.GetValue<string>().ShouldBe("AI agents");
    }

    [Fact]
    public void Interpolate_RendersNumbersBooleansListsAndObjectsAsJsonText()
    {
        var crew = CrewWith("{n} {f} {b} {list} {obj} {s}", role: "r");
        var result = CrewInterpolator.Interpolate(crew, new JsonObject
        {
            ["n"] = 42,
            ["f"] = 1.5,
            ["b"] = true,
            ["list"] = new JsonArray("a", 2),
            ["obj"] = new JsonObject { ["k"] = new JsonObject { ["deep"] = false } },
            ["s"] = "plain \"text\"",
        });

        result.Tasks[0].Description.ShouldBe("42 1.5 true [\"a\",2] {\"k\":{\"deep\":false}} plain \"text\"");
    }

    [Fact]
    public void Interpolate_WithHyphenatedName_ReplacesIt()
    {
        var result = CrewInterpolator.Interpolate(CrewWith("For {user-name}", role: "r"), new JsonObject { ["user-name"] = "Ada" });
        result.Tasks[0].Description.ShouldBe("For Ada");
    }

    [Fact]
    public void Interpolate_WithMissingInputs_NamesEveryMissingOne()
    {
        var crew = CrewWith("About {topic} in {year} by {author}");
        var ex = Should.Throw<MissingInputsException>(() => CrewInterpolator.Interpolate(crew, new JsonObject { ["year"] = 2026, ["author"] = null }));
        ex.Missing.ShouldBe(["topic", "author"]);
        ex.Message.ShouldContain("topic");
    }

    [Fact]
    public void Interpolate_WithExtraInputs_IgnoresThem()
    {
        var result = CrewInterpolator.Interpolate(CrewWith("About {topic}"), new JsonObject { ["topic"] = "x", ["unused"] = 1 });
        result.Tasks[0].Description.ShouldBe("About x");
    }

    [Fact]
    public void Fill_AllocatesTheFilledTextAndLittleElse()
    {
        // Every kickoff and every claim fill each text of the run's crew: a Match, its groups and a delegate per text were
        // a twentieth of all a busy node allocated.
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["topic"] = "tidal energy", ["year"] = "2026" };
        const string Text = "Find the three facts about {topic} that matter most in {year}, as of {month}.";
        CrewInterpolator.Fill(Text, values).ShouldBe("Find the three facts about tidal energy that matter most in 2026, as of {month}.");

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            CrewInterpolator.Fill(Text, values);
        }

        var perFill = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        perFill.ShouldBeLessThan(600, "the filled text (about 190 B) and a builder");
        CrewInterpolator.Fill("No placeholder here.", values).ShouldBeSameAs("No placeholder here.");
    }
}
