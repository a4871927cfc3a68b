using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Muster.Bench.Scenarios;

/// <summary>
/// 7. The console's pages on a big store: the runs page's first screen with 100,000 runs (10,000 quick), and the page of a run
/// with 1,000 events, each read 50 times one after another by a signed-in viewer on loopback (so the time is the server's).
/// The store is filled by copying one real finished run in SQL (its row, and its events to make the long run), which takes
/// seconds where kicking off 100,000 runs would take minutes and measure nothing new. SQLite only.
/// </summary>
internal static partial class ConsolePages
{
    private const int Reads = 50;
    private const int WarmUpReads = 20;
    private const int LongRunEvents = 1_000;

    public static async Task RunAsync(BenchSettings settings, Report report, string workDir)
    {
        if (settings.Storage != "sqlite")
        {
            report.Note("7", "SQLite only: the store is filled in SQL");
            return;
        }

        var runs = settings.Full ? 100_000 : 10_000;
        await using var cluster = await Cluster.StartAsync(settings, "s7", llmLatencyMs: 0, maxConcurrentRuns: 64, workDir);
        var (finished, _) = await cluster.FinishOneAsync();
        var longRun = Guid.NewGuid().ToString();
        var filling = Stopwatch.StartNew();
        await FillAsync(Path.Combine(workDir, "s7", "muster.db"), finished, runs - 2, longRun);
        report.Note("7", $"filled the store with {runs:N0} runs in {filling.Elapsed.TotalSeconds:F1} s");

        using var viewer = await SignInAsync(cluster.Node(0));
        foreach (var (name, path, goal) in new[]
                 {
                     ($"runs page, first screen of {runs:N0} runs", "/ui/runs", 200.0),
                     ($"run page with {LongRunEvents:N0} events", $"/ui/runs/{Guid.Parse(longRun):N}", 200.0),
                 })
        {
            var times = await TimeReadsAsync(viewer, path);
            report.Add(new Figure("7", name + ", p50", Percentile(times, 0.5), "ms"));
            report.Add(new Figure("7", name + ", p99", Percentile(times, 0.99), "ms", Goal: $"< {goal} ms", Met: Percentile(times, 0.99) < goal));
        }
    }

    /// <summary>Copies <paramref name="template"/>'s row <paramref name="copies"/> times, and makes <paramref name="longRun"/> a copy with 1,000 events.</summary>
    private static async Task FillAsync(string database, string template, int copies, string longRun)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        var columns = await ColumnsAsync(connection, "runs");
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();

        // Ids in the shape of the server's (a version-7 layout), each copy one millisecond older than the next.
        var copy = string.Join(", ", columns.Select(c => c switch
        {
            "id" => "printf('%08x-%04x-7%03x-8000-%012x', n / 65536, n % 65536, n % 4096, n)",
            "created_at" => "created_at - n",
            _ => c,
        }));
        await ExecuteAsync(connection, transaction,
            $"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {copies}) " +
            $"INSERT INTO runs ({string.Join(", ", columns)}) SELECT {copy} FROM runs, seq WHERE runs.id = $template",
            template);

        // The long run: the template's first event, its middle events over and over, its last event; its tasks' outputs.
        var asLong = string.Join(", ", columns.Select(c => c switch { "id" => "$long", "last_sequence" => LongRunEvents.ToString(), _ => c }));
        await ExecuteAsync(connection, transaction, $"INSERT INTO runs ({string.Join(", ", columns)}) SELECT {asLong} FROM runs WHERE id = $template", template, longRun);
        await ExecuteAsync(connection, transaction,
            "WITH RECURSIVE seq(n) AS (SELECT 2 UNION ALL SELECT n + 1 FROM seq WHERE n < " + (LongRunEvents - 1) + "), " +
            "middle AS (SELECT ROW_NUMBER() OVER (ORDER BY sequence) - 1 AS k, type, ts, data FROM run_events WHERE run_id = $template AND sequence > 1 " +
            "  AND sequence < (SELECT MAX(sequence) FROM run_events WHERE run_id = $template)), " +
            "count AS (SELECT COUNT(*) AS c FROM middle) " +
            "INSERT INTO run_events (run_id, sequence, type, ts, data) " +
            "SELECT $long, 1, type, ts, data FROM run_events WHERE run_id = $template AND sequence = 1 " +
            "UNION ALL SELECT $long, n, m.type, m.ts, m.data FROM seq, count, middle m WHERE m.k = (n - 2) % count.c " +
            $"UNION ALL SELECT $long, {LongRunEvents}, type, ts, data FROM run_events WHERE run_id = $template AND sequence = (SELECT MAX(sequence) FROM run_events WHERE run_id = $template)",
            template, longRun);
        await ExecuteAsync(connection, transaction,
            "INSERT INTO task_results (run_id, sequence, task_name, agent, output, completed_at) " +
            "SELECT $long, sequence, task_name, agent, output, completed_at FROM task_results WHERE run_id = $template",
            template, longRun);
        await transaction.CommitAsync();
    }

    private static async Task<List<string>> ColumnsAsync(SqliteConnection connection, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid";
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, string template, string? longRun = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$template", template);
        command.Parameters.AddWithValue("$long", (object?)longRun ?? DBNull.Value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Signs in through the console's form, as a browser does: its anti-forgery cookie and field, then the token.</summary>
    private static async Task<HttpClient> SignInAsync(Uri node)
    {
        var viewer = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = node };
        var login = await viewer.GetStringAsync("/ui/login");
        var field = HiddenFields().Matches(login).First(m => m.Groups["name"].Value != "next");
        using var signIn = await viewer.PostAsync("/ui/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [field.Groups["name"].Value] = WebUtility.HtmlDecode(field.Groups["value"].Value),
            ["token"] = Cluster.BootstrapToken,
            ["next"] = "/ui/runs",
        }));
        if (signIn.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.SeeOther or HttpStatusCode.Found))
        {
            throw new InvalidOperationException($"signing in to the console answered {(int)signIn.StatusCode}");
        }

        return viewer;
    }

    private static async Task<List<double>> TimeReadsAsync(HttpClient viewer, string path)
    {
        var times = new List<double>();
        for (var i = 0; i < WarmUpReads + Reads; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await viewer.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}");
            }

            if (i >= WarmUpReads)
            {
                times.Add(elapsed);
            }
        }

        return times;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenFields();
}
