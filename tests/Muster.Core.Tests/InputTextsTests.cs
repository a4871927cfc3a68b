using System.Text.Json.Nodes;
using Muster.Core.Crews;

namespace Muster.Core.Tests;

/// <summary>Long inputs kept out of the JSON texts that repeat them, and put back exactly.</summary>
public sealed class InputTextsTests
{
    private static readonly string Long = string.Concat(Enumerable.Range(0, 30).Select(i => $"wave {i} \"é\\😀<>&+' "));

    [Fact]
    public void PackThenUnpack_GivesBackTheTextExactly_AndPackingShortensIt()
    {
        var inputs = new JsonObject { ["topic"] = Long, ["n"] = 7, ["list"] = new JsonArray(Long, 1) };
        var texts = InputTexts.From(inputs.ToJsonString());
        var data = new JsonObject
        {
            ["inputs"] = inputs.DeepClone(),
            ["prompt"] = $"About {Long}, and {CrewInterpolator.Render(inputs["list"])}.",
            ["agent"] = Long + " Researcher",
            ["private"] = "\uE000 0 \uE001 stays as it is",
        }.ToJsonString();

        var packed = texts.Pack(data);

        packed.Length.ShouldBeLessThan(data.Length - 4 * Long.Length);
        InputTexts.IsPacked(packed).ShouldBeTrue();
        texts.Unpack(packed).ShouldBe(data);
    }

    [Fact]
    public void JsonAsSystemTextJsonWritesIt_NeverHoldsTheReferenceCharacters_SoAnUnpackedTextIsToldApart()
    {
        var json = new JsonObject { ["a"] = "\uE000\uE001", ["\uE000"] = 1 }.ToJsonString();

        InputTexts.IsPacked(json).ShouldBeFalse();
        json.ShouldContain("\\uE000");
    }

    [Fact]
    public void From_ShortInputs_HasNothingToPack()
    {
        var texts = InputTexts.From("""{"topic":"owls"}""");

        texts.IsEmpty.ShouldBeTrue();
        texts.Pack("""{"prompt":"About owls"}""").ShouldBe("""{"prompt":"About owls"}""");
    }

    [Fact]
    public void Unpack_OfAReferenceTheInputsDoNotHave_Throws()
    {
        var texts = InputTexts.From(new JsonObject { ["topic"] = Long }.ToJsonString());

        Should.Throw<InvalidDataException>(() => texts.Unpack("{\"a\":\"\uE0009\uE001\"}"));
    }
}
