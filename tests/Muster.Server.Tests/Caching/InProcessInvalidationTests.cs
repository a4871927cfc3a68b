using Muster.Server.Caching;
using Muster.Server.Execution;
using Muster.Testing;

namespace Muster.Server.Tests.Caching;

public sealed class InProcessInvalidationTests
{
    [Fact]
    public async Task Invalidations_ReachThisNodesReader_InOrder()
    {
        var bus = new InProcessRunEventBus();
        var runId = Guid.NewGuid();
        await using var reader = bus.ReadInvalidationsAsync(CancellationToken.None).GetAsyncEnumerator();

        await bus.InvalidateAsync(CacheInvalidation.Token("tok_1"), CancellationToken.None);
        await bus.InvalidateAsync(CacheInvalidation.Run(runId), CancellationToken.None);
        await bus.InvalidateAsync(CacheInvalidation.AllRuns, CancellationToken.None);

        var received = new List<CacheInvalidation>();
        for (var i = 0; i < 3; i++)
        {
            (await reader.MoveNextAsync().AsTask().WaitAsync(Eventually.DefaultLimit)).ShouldBeTrue();
            received.Add(reader.Current);
        }

        received.ShouldBe([CacheInvalidation.Token("tok_1"), CacheInvalidation.Run(runId), CacheInvalidation.AllRuns]);
    }
}
