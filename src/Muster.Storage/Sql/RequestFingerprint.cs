using System.Security.Cryptography;
using System.Text;

namespace Muster.Storage.Sql;

/// <summary>
/// What makes two kickoffs the same request for an idempotency key: the crew (a deployed crew by name; an ad-hoc crew by
/// its whole definition, which its request carries) and the body's inputs, meta and webhook settings. A deployed crew's
/// definition is left out on purpose: a client retrying after the operator changed the crew still gets its first run.
/// </summary>
internal static class RequestFingerprint
{
    /// <param name="run">The kickoff.</param>
    /// <param name="crewVersion">Its crew's version (<see cref="CrewSnapshots.Write"/>).</param>
    /// <param name="inputs">Its inputs' JSON.</param>
    /// <param name="meta">Its meta's JSON, or null.</param>
    public static string Of(NewRun run, string crewVersion, string inputs, string? meta)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Add(hash, run.AdHoc ? "ad-hoc" : "deployed");
        Add(hash, run.CrewName);
        Add(hash, run.AdHoc ? crewVersion : "");
        Add(hash, inputs);
        Add(hash, meta ?? "");
        Add(hash, StoreJson.Write(run.Webhooks));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // Each part is preceded by its length, so no two different requests hash the same parts.
    private static void Add(IncrementalHash hash, string part)
    {
        var bytes = Encoding.UTF8.GetBytes(part);
        Span<byte> length = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
