using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Muster.Server.Webhooks;

/// <summary>
/// Stripe-style signatures: <c>Muster-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;body&gt;")&gt;</c>.
/// Signing the timestamp with the body lets receivers refuse replays outside their tolerance window.
/// </summary>
internal sealed class WebhookSigner(byte[] secret)
{
    public const string EventIdHeader = "Muster-Event-Id";
    public const string TimestampHeader = "Muster-Timestamp";
    public const string SignatureHeader = "Muster-Signature";

    public string Sign(long unixSeconds, string body)
    {
        var timestamp = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>The receiver's side, as docs/WEBHOOKS.md describes it: used by tests and by anyone embedding Muster.</summary>
    public static bool Verify(string secret, string signatureHeader, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        string? timestamp = null;
        var candidates = new List<string>();
        foreach (var part in signatureHeader.Split(','))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2)
            {
                continue;
            }

            if (pair[0] == "t")
            {
                timestamp = pair[1];
            }
            else if (pair[0] == "v1")
            {
                candidates.Add(pair[1]);
            }
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"))));
        return candidates.Any(c => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(c), expected));
    }
}
