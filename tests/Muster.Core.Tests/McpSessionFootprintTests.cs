using Microsoft.Extensions.Logging.Abstractions;
using Muster.Tools.Mcp;

namespace Muster.Core.Tests;

public sealed class McpSessionFootprintTests
{
    [Fact]
    public async Task ARunThatNeedsNoMcpServer_KeepsNoConnectionTable()
    {
        // Every run opens a session and keeps it for its whole life; most never connect to a server.
        await OpenAndCloseAsync();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            await OpenAndCloseAsync();
        }

        var perSession = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        perSession.ShouldBeLessThan(256, "the session itself and its logger");
    }

    private static async Task OpenAndCloseAsync()
    {
        await using var session = new McpSession([], static _ => throw new InvalidOperationException("no server"), untrustedCrew: false, TimeSpan.FromSeconds(1), NullLoggerFactory.Instance);
    }
}
