namespace Muster.Server.Protocols;

/// <summary>
/// The token a protocol request was made with was revoked (here or on another node) while the request waited on its run.
/// Each protocol answers it in its own form and ends the request; the run goes on, since a revocation stops no run.
/// </summary>
internal sealed class TokenRevokedException() : Exception(
    "The token this request was made with has been revoked, so this request ends here; the run goes on. "
    + "A request with this token is refused (401).");
