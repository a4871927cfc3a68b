namespace Muster.Bench.Tests;

/// <summary>
/// wrk's summaries as wrk 4 (apt) printed them on loopback, pasted unchanged (including the trailing space wrk leaves
/// after a latency in seconds).
/// </summary>
public sealed class WrkParseTests
{
    // python3 -m http.server; wrk -t2 -c8 -d1s --latency --timeout 10s http://127.0.0.1:PORT/ok.json
    private const string PythonServer = """
        Running 1s test @ http://127.0.0.1:18931/ok.json
          2 threads and 8 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     4.31ms    3.05ms  22.57ms   83.18%
            Req/Sec   718.95    254.34     1.12k    60.00%
          Latency Distribution
             50%    3.00ms
             75%    5.04ms
             90%    8.89ms
             99%   14.92ms
          1435 requests in 1.00s, 285.88KB read
        Requests/sec:   1429.60
        Transfer/sec:    284.80KB
        """;

    // The same server asked for a file it does not have: every answer a 404.
    private const string AllNotFound = """
        Running 1s test @ http://127.0.0.1:18931/missing.json
          2 threads and 8 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     4.73ms    2.67ms  21.39ms   72.95%
            Req/Sec   634.15    250.58     1.20k    60.00%
          Latency Distribution
             50%    4.11ms
             75%    6.25ms
             90%    8.37ms
             99%   12.90ms
          1264 requests in 1.00s, 642.24KB read
          Non-2xx or 3xx responses: 1264
        Requests/sec:   1259.84
        Transfer/sec:    640.12KB
        """;

    // The bench's ceiling app (bare Kestrel), same wrk command: a p50 in microseconds.
    private const string Kestrel = """
        Running 1s test @ http://127.0.0.1:37795/ok
          2 threads and 8 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     2.51ms    9.97ms  77.22ms   95.37%
            Req/Sec    13.76k     5.92k   24.65k    68.18%
          Latency Distribution
             50%  226.00us
             75%  381.00us
             90%    2.12ms
             99%   61.74ms
          30095 requests in 1.10s, 3.87MB read
        Requests/sec:  27368.05
        Transfer/sec:      3.52MB
        """;

    // A Python server that answers every fifth request 500, drops every seventh connection unanswered, holds every
    // fortieth for 1.3 s and every ninety-seventh for 8 s: wrk -t2 -c8 -d4s --latency --timeout 2s.
    private const string FlakyServer = """
        Running 4s test @ http://127.0.0.1:18932/
          2 threads and 8 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency   171.94ms  321.44ms   1.34s    86.61%
            Req/Sec    46.53     18.11    90.00     69.74%
          Latency Distribution
             50%   43.98ms
             75%   45.54ms
             90%  705.56ms
             99%    1.30s 
          355 requests in 4.01s, 44.20KB read
          Socket errors: connect 0, read 60, write 0, timeout 0
          Non-2xx or 3xx responses: 71
        Requests/sec:     88.46
        Transfer/sec:     11.01KB
        """;

    // The same server, wrk -t2 -c8 -d5s --latency --timeout 1s: the held requests time out (wrk leaves them out of
    // the latencies).
    private const string FlakyServerTimingOut = """
        Running 5s test @ http://127.0.0.1:18932/
          2 threads and 8 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency    36.78ms   16.64ms  56.87ms   81.22%
            Req/Sec    43.45     19.91   101.00     65.93%
          Latency Distribution
             50%   43.97ms
             75%   44.57ms
             90%   47.94ms
             99%   51.19ms
          401 requests in 5.02s, 49.91KB read
          Socket errors: connect 0, read 68, write 0, timeout 7
          Non-2xx or 3xx responses: 81
        Requests/sec:     79.95
        Transfer/sec:      9.95KB
        """;

    [Fact]
    public void Parse_ReadsRequestsPerSecond_Percentiles_AndTheRequestCount()
    {
        var result = Wrk.Parse(PythonServer);

        result.RequestsPerSecond.ShouldBe(1429.60);
        result.P50Ms.ShouldBe(3.00);
        result.P99Ms.ShouldBe(14.92);
        result.Requests.ShouldBe(1435);
        result.Errors.ShouldBe(0);
    }

    [Fact]
    public void Parse_CountsNon2xxAnswersAsErrors()
    {
        var result = Wrk.Parse(AllNotFound);

        result.RequestsPerSecond.ShouldBe(1259.84);
        result.P50Ms.ShouldBe(4.11);
        result.P99Ms.ShouldBe(12.90);
        result.Requests.ShouldBe(1264);
        result.Errors.ShouldBe(1264);
    }

    [Fact]
    public void Parse_TurnsMicrosecondsIntoMilliseconds()
    {
        var result = Wrk.Parse(Kestrel);

        result.RequestsPerSecond.ShouldBe(27368.05);
        result.P50Ms.ShouldBe(0.226, 1e-12);
        result.P99Ms.ShouldBe(61.74);
        result.Requests.ShouldBe(30095);
        result.Errors.ShouldBe(0);
    }

    [Fact]
    public void Parse_TurnsSecondsIntoMilliseconds_AndAddsSocketErrorsToNon2xx()
    {
        var result = Wrk.Parse(FlakyServer);

        result.RequestsPerSecond.ShouldBe(88.46);
        result.P50Ms.ShouldBe(43.98);
        result.P99Ms.ShouldBe(1300, 1e-9);
        result.Requests.ShouldBe(355);
        result.Errors.ShouldBe(60 + 71);
    }

    [Fact]
    public void Parse_CountsEveryKindOfSocketError()
    {
        var result = Wrk.Parse(FlakyServerTimingOut);

        result.RequestsPerSecond.ShouldBe(79.95);
        result.P50Ms.ShouldBe(43.97);
        result.P99Ms.ShouldBe(51.19);
        result.Requests.ShouldBe(401);
        // read 68, timeout 7, and 81 answers of 500.
        result.Errors.ShouldBe(68 + 7 + 81);
    }

    [Fact]
    public void Parse_SumsConnectReadWriteAndTimeout()
    {
        // The real line with every field set, to show no field is dropped.
        var output = PythonServer.Replace(
            "  1435 requests in 1.00s, 285.88KB read\n",
            "  1435 requests in 1.00s, 285.88KB read\n  Socket errors: connect 1, read 20, write 300, timeout 4000\n",
            StringComparison.Ordinal);

        Wrk.Parse(output).Errors.ShouldBe(4321);
    }

    [Fact]
    public void Parse_WithoutTheLatencyDistribution_GivesNaNPercentiles()
    {
        // What wrk prints without --latency: the same summary less the distribution's five lines.
        var lines = PythonServer.Split('\n').ToList();
        lines.RemoveRange(lines.FindIndex(l => l.Contains("Latency Distribution", StringComparison.Ordinal)), 5);

        var result = Wrk.Parse(string.Join('\n', lines));

        double.IsNaN(result.P50Ms).ShouldBeTrue();
        double.IsNaN(result.P99Ms).ShouldBeTrue();
        result.RequestsPerSecond.ShouldBe(1429.60);
    }
}
