using Microsoft.Extensions.Options;
using Muster.Contracts.Amp;
using Muster.Server.Webhooks;
using Muster.Storage;

namespace Muster.Server.Tests.Webhooks;

public sealed class WebhookUrlValidatorTests
{
    private readonly FakeHostResolver _dns = new FakeHostResolver()
        .Map("hooks.example.com", "93.184.216.34")
        .Map("internal.example.com", "10.0.0.7")
        .Map("mixed.example.com", "93.184.216.34", "127.0.0.1")
        .Map("localhost", "127.0.0.1", "::1")
        .Map("doc.example.com", "2001:db8::5");

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://127.0.0.1:8080/hook", "loopback")]
    [InlineData("http://[::1]/hook", "loopback")]
    [InlineData("http://[::ffff:10.0.0.1]/hook", "private")]
    [InlineData("http://localhost/hook", "loopback")]
    [InlineData("https://internal.example.com/hook", "private")]
    [InlineData("https://mixed.example.com/hook", "loopback")]
    [InlineData("http://192.0.2.1/hook", "documentation")]
    [InlineData("http://198.51.100.1/hook", "documentation")]
    [InlineData("http://203.0.113.1/hook", "documentation")]
    [InlineData("http://192.88.99.1/hook", "6to4 relay")]
    [InlineData("http://[100::1]/hook", "discard-only")]
    [InlineData("http://[2001::1]/hook", "Teredo")]
    [InlineData("http://[2002:7f00:1::1]/hook", "loopback")]
    [InlineData("http://[::127.0.0.1]/hook", "loopback")]
    [InlineData("http://[64:ff9b::7f00:1]/hook", "loopback")]
    [InlineData("https://doc.example.com/hook", "documentation")]
    [InlineData("https://nowhere.example.com/hook", "does not resolve")]
    [InlineData("ftp://hooks.example.com/hook", "http or https")]
    [InlineData("file:///etc/passwd", "http or https")]
    [InlineData("not a url", "http or https")]
    [InlineData("https://user:pw@hooks.example.com/hook", "credentials")]
    public async Task Validate_RefusedUrl_NamesTheFieldAndWhy(string url, string why)
    {
        var problems = await Validator(allowPrivate: false).ValidateAsync(new WebhookSettings { CrewWebhookUrl = url }, CancellationToken.None);

        var problem = problems.ShouldHaveSingleItem();
        problem.Field.ShouldBe("crewWebhookUrl");
        problem.Message.ShouldContain(why);
    }

    [Fact]
    public async Task Validate_EveryWebhookField_IsCheckedUnderItsOwnName()
    {
        const string bad = "http://10.1.1.1/x";
        var settings = new WebhookSettings
        {
            TaskWebhookUrl = bad, StepWebhookUrl = bad, CrewWebhookUrl = bad,
            Stream = new WebhookStreamConfig { Url = bad },
            HumanInput = new HumanInputWebhookConfig { Url = bad },
        };

        var problems = await Validator(allowPrivate: false).ValidateAsync(settings, CancellationToken.None);

        problems.Select(p => p.Field).ShouldBe(["taskWebhookUrl", "stepWebhookUrl", "crewWebhookUrl", "webhooks.url", "humanInputWebhook.url"]);
    }

    [Fact]
    public async Task Validate_PublicUrls_AreAccepted()
    {
        var settings = new WebhookSettings
        {
            TaskWebhookUrl = "https://hooks.example.com/t",
            StepWebhookUrl = "http://93.184.216.34/s",
            HumanInput = new HumanInputWebhookConfig { Url = "https://hooks.example.com/h", Authentication = new() { Strategy = "bearer", Token = "t" } },
        };

        (await Validator(allowPrivate: false).ValidateAsync(settings, CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Validate_PrivateUrlWhenPrivateNetworksAllowed_IsAccepted()
    {
        var settings = new WebhookSettings { CrewWebhookUrl = "http://127.0.0.1:5000/hook", StepWebhookUrl = "http://internal.example.com/x" };
        (await Validator(allowPrivate: true).ValidateAsync(settings, CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Validate_NonHttpSchemeWhenPrivateNetworksAllowed_IsStillRefused()
    {
        var problems = await Validator(allowPrivate: true).ValidateAsync(new WebhookSettings { TaskWebhookUrl = "gopher://127.0.0.1/" }, CancellationToken.None);
        problems.ShouldHaveSingleItem().Field.ShouldBe("taskWebhookUrl");
    }

    [Theory]
    [InlineData("bearer", null, null, null, "token")]
    [InlineData("basic", null, "u", null, "password")]
    [InlineData("digest", null, null, null, "strategy")]
    public async Task Validate_IncompleteAuthentication_NamesTheField(string strategy, string? token, string? user, string? password, string why)
    {
        var auth = new WebhookAuthentication { Strategy = strategy, Token = token, Username = user, Password = password };
        var settings = new WebhookSettings { Stream = new WebhookStreamConfig { Url = "https://hooks.example.com/e", Authentication = auth } };

        var problem = (await Validator(allowPrivate: false).ValidateAsync(settings, CancellationToken.None)).ShouldHaveSingleItem();

        problem.Field.ShouldBe("webhooks.authentication");
        problem.Message.ShouldContain(why);
    }

    private WebhookUrlValidator Validator(bool allowPrivate) =>
        new(Options.Create(new WebhookOptions { AllowPrivateNetworks = allowPrivate }), _dns);
}
