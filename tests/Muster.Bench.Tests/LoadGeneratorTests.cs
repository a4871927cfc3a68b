using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Muster.Bench.Tests;

public sealed class LoadGeneratorTests(LoopbackServer server) : IClassFixture<LoopbackServer>
{
    [Fact]
    public async Task OpenLoop_At200PerSecondFor1Second_SendsExactly200_AndRecordsEach()
    {
        using var load = new LoadGenerator();
        var bodies = new ConcurrentDictionary<long, int>();

        var result = await load.OpenLoopAsync("echo", 200, TimeSpan.FromSeconds(1), Get(server.Echo), Count(bodies));

        result.Sent.ShouldBe(200);
        result.Latency.Count.ShouldBe(200);
        result.SendLag.Count.ShouldBe(200);
        result.Failures.ShouldBe(0);
        result.Timeouts.ShouldBe(0);
        result.FirstFailure.ShouldBeNull();
        result.Latency.PercentileMs(50).ShouldBeGreaterThan(0);
        result.BySecond.Values.Sum(h => h.Count).ShouldBe(200);
        AssertEachIndexOnce(bodies, 200);
    }

    [Theory]
    [InlineData(137, 8)]
    [InlineData(3, 8)]
    [InlineData(64, 1)]
    public async Task ClosedLoop_SendsExactlyTheTotal_EachIndexOnce(int total, int concurrency)
    {
        using var load = new LoadGenerator();
        var bodies = new ConcurrentDictionary<long, int>();

        var result = await load.ClosedLoopAsync("echo", concurrency, total, null, Get(server.Echo), Count(bodies));

        result.Sent.ShouldBe(total);
        result.Latency.Count.ShouldBe(total);
        result.Failures.ShouldBe(0);
        result.Latency.PercentileMs(50).ShouldBeGreaterThan(0);
        result.PerSecond.ShouldBeGreaterThan(0);
        AssertEachIndexOnce(bodies, total);
    }

    [Fact]
    public async Task ClosedLoop_WithADuration_StopsByItself()
    {
        using var load = new LoadGenerator();
        var bodies = new ConcurrentDictionary<long, int>();

        var result = await load.ClosedLoopAsync("echo", 4, long.MaxValue, TimeSpan.FromMilliseconds(300), Get(server.Echo), Count(bodies));

        result.Sent.ShouldBeGreaterThan(0);
        result.Latency.Count.ShouldBe(result.Sent);
        AssertEachIndexOnce(bodies, result.Sent);
    }

    [Fact]
    public async Task ServerAnswering500_CountsEveryRequestAsAFailure()
    {
        using var load = new LoadGenerator();
        var bodies = new ConcurrentDictionary<long, int>();

        var closed = await load.ClosedLoopAsync("fail", 4, 40, null, Get(server.Fail), Count(bodies));
        var open = await load.OpenLoopAsync("fail", 100, TimeSpan.FromSeconds(0.5), Get(server.Fail), Count(bodies));

        closed.Failures.ShouldBe(40);
        closed.FirstFailure.ShouldNotBeNull().ShouldStartWith("500 boom ", Case.Sensitive);
        closed.Latency.Count.ShouldBe(40);
        open.Failures.ShouldBe(50);
        open.FirstFailure.ShouldNotBeNull().ShouldStartWith("500 boom ", Case.Sensitive);
        bodies.ShouldBeEmpty();
    }

    [Fact]
    public async Task ConnectionRefused_IsAFailure_NotAnException()
    {
        using var load = new LoadGenerator();
        var closedPort = ClosedPort();

        var result = await load.ClosedLoopAsync("refused", 2, 5, null, _ => new HttpRequestMessage(HttpMethod.Get, closedPort));

        result.Failures.ShouldBe(5);
        result.Latency.Count.ShouldBe(5);
        result.FirstFailure.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Stop_EndsAnOpenLoopEarly()
    {
        using var load = new LoadGenerator();
        using var stop = new CancellationTokenSource();
        var bodies = new ConcurrentDictionary<long, int>();

        // Stopped from inside: the twentieth answer cancels the ten seconds' worth of schedule.
        var result = await load.OpenLoopAsync("echo", 200, TimeSpan.FromSeconds(10), Get(server.Echo), (i, body) =>
        {
            Count(bodies)(i, body);
            if (i == 20)
            {
                stop.Cancel();
            }
        }, stop.Token);

        result.Sent.ShouldBeGreaterThan(20);
        result.Sent.ShouldBeLessThan(2_000);
        result.Latency.Count.ShouldBe(result.Sent);
        result.SendLag.Count.ShouldBe(result.Sent);
        AssertEachIndexOnce(bodies, result.Sent);
    }

    private static Func<long, HttpRequestMessage> Get(Func<long, Uri> url) => i => new HttpRequestMessage(HttpMethod.Get, url(i));

    /// <summary>Counts each index's answers, and checks each body is the index it was sent for.</summary>
    private static Action<long, string> Count(ConcurrentDictionary<long, int> bodies) => (i, body) =>
    {
        body.ShouldBe(i.ToString(CultureInfo.InvariantCulture));
        bodies.AddOrUpdate(i, 1, (_, n) => n + 1);
    };

    private static void AssertEachIndexOnce(ConcurrentDictionary<long, int> bodies, long total)
    {
        bodies.Keys.Order().ShouldBe(Enumerable.Range(0, (int)total).Select(i => (long)i));
        bodies.Values.ShouldAllBe(n => n == 1);
    }

    private static Uri ClosedPort()
    {
        // A port the OS just handed out and took back: nothing listens there.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}
