namespace Muster.Server.Tests.Protocols;

/// <summary>
/// The official npm clients (tests/protocols/revoke.mjs) each with a call open on a held run when its token is revoked:
/// the MCP client's call rejects with the JSON-RPC error, the A2A client's stream throws it, HttpAgent sees RUN_ERROR.
/// </summary>
public sealed class RevokedProtocolClientsTests
{
    [Fact]
    public async Task TheOfficialClients_EndTheirOpenCallsWithTheirProtocolsErrors_WhenTheTokenIsRevoked()
    {
        var output = await ProtocolClientTests.RunScriptAsync("revoke.mjs");

        output.ShouldContain("ok revoking the token ends the MCP, A2A and AG-UI clients' calls with their protocols' errors; the runs go on");
    }
}
