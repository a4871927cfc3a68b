using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Muster.Server.Console;

/// <summary>
/// The console's script and style sheet, embedded in the server's assembly. Each URL carries a hash of the file, so a
/// browser may keep it for a year and still never mixes one server version's page with another's asset.
/// </summary>
internal static class ConsoleAssets
{
    private static readonly FrozenDictionary<string, Asset> Assets = new[]
    {
        Load("console.css", "text/css; charset=utf-8"),
        Load("console.js", "text/javascript; charset=utf-8"),
    }.ToFrozenDictionary(asset => asset.Name, StringComparer.Ordinal);

    public static string Url(string name) => $"/ui/assets/{name}?v={Assets[name].Version}";

    public static IResult Serve(string name, HttpContext context)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            return TypedResults.NotFound();
        }

        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static Asset Load(string name, string contentType)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream("Muster.Console." + name)
            ?? throw new InvalidOperationException($"The console asset {name} is not embedded in the server's assembly.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var content = memory.ToArray();
        return new Asset(name, contentType, content, Convert.ToHexStringLower(SHA256.HashData(content))[..12]);
    }

    private sealed record Asset(string Name, string ContentType, byte[] Content, string Version);
}
