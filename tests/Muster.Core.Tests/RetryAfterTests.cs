using Muster.Core.Llm;
using Muster.Llm;

namespace Muster.Core.Tests;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ParseRetryAfter_Seconds() => ProviderErrors.ParseRetryAfter(null, "7", Now).ShouldBe(TimeSpan.FromSeconds(7));

    [Fact]
    public void ParseRetryAfter_HttpDate_IsTheTimeUntilThen() =>
        ProviderErrors.ParseRetryAfter(null, "Mon, 23 Nov 2026 12:00:30 GMT", Now).ShouldBe(TimeSpan.FromSeconds(30));

    [Fact]
    public void ParseRetryAfter_MillisecondsHeader_WinsOverSeconds() =>
        ProviderErrors.ParseRetryAfter("250", "1", Now).ShouldBe(TimeSpan.FromMilliseconds(250));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    public void ParseRetryAfter_AbsentOrUnreadable_IsNull(string? value) => ProviderErrors.ParseRetryAfter(null, value, Now).ShouldBeNull();

    [Fact]
    public void ParseModelReference_SplitsAtTheFirstSlash_AndDefaultsToOpenAi()
    {
        ModelReference.Parse("openrouter/meta-llama/llama-3.1-8b").ShouldBe(new ModelReference("openrouter", "meta-llama/llama-3.1-8b"));
        ModelReference.Parse("gpt-4o").ShouldBe(new ModelReference("openai", "gpt-4o"));
        ModelReference.Parse("Ollama/llama3.1").ShouldBe(new ModelReference("ollama", "llama3.1"));
    }
}
