using System.Security.Cryptography;
using System.Text;
using Muster.Server.Webhooks;

namespace Muster.Server.Tests.Webhooks;

public sealed class WebhookSignerTests
{
    private const string Secret = "whsec_test_secret_for_signatures";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Fact]
    public void Sign_ProducesTimestampAndHmacOfTimestampDotBody()
    {
        var signature = new WebhookSigner(Encoding.UTF8.GetBytes(Secret)).Sign(1_800_000_000, "{\"a\":1}");

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes("1800000000.{\"a\":1}")));
        signature.ShouldBe($"t=1800000000,v1={expected}");
    }

    [Fact]
    public void Verify_OwnSignature_Succeeds()
    {
        var signature = new WebhookSigner(Encoding.UTF8.GetBytes(Secret)).Sign(Now.ToUnixTimeSeconds(), "body");
        WebhookSigner.Verify(Secret, signature, "body", Now.AddSeconds(30), TimeSpan.FromMinutes(5)).ShouldBeTrue();
    }

    [Fact]
    public void Verify_TamperedBody_Fails()
    {
        var signature = new WebhookSigner(Encoding.UTF8.GetBytes(Secret)).Sign(Now.ToUnixTimeSeconds(), "body");
        WebhookSigner.Verify(Secret, signature, "body!", Now, TimeSpan.FromMinutes(5)).ShouldBeFalse();
    }

    [Fact]
    public void Verify_OtherSecret_Fails()
    {
        var signature = new WebhookSigner(Encoding.UTF8.GetBytes("another secret")).Sign(Now.ToUnixTimeSeconds(), "body");
        WebhookSigner.Verify(Secret, signature, "body", Now, TimeSpan.FromMinutes(5)).ShouldBeFalse();
    }

    [Fact]
    public void Verify_OutsideTheToleranceWindow_Fails()
    {
        var signature = new WebhookSigner(Encoding.UTF8.GetBytes(Secret)).Sign(Now.ToUnixTimeSeconds(), "body");
        WebhookSigner.Verify(Secret, signature, "body", Now.AddMinutes(6), TimeSpan.FromMinutes(5)).ShouldBeFalse();
    }

    [Fact]
    public void Verify_MalformedHeader_Fails()
    {
        WebhookSigner.Verify(Secret, "v1=zz,t=abc", "body", Now, TimeSpan.FromMinutes(5)).ShouldBeFalse();
        WebhookSigner.Verify(Secret, "", "body", Now, TimeSpan.FromMinutes(5)).ShouldBeFalse();
    }
}
