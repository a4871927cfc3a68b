using System.Globalization;

namespace Muster.Bench;

/// <summary>The orchestrator's command line; quick mode keeps the whole run to about two minutes.</summary>
internal sealed record BenchSettings
{
    public bool Full { get; init; }

    public IReadOnlySet<int> Scenarios { get; init; } = new HashSet<int> { 1, 2, 3, 4, 5, 6, 7 };

    public string Storage { get; init; } = "sqlite";

    public string? ConnectionString { get; init; }

    public int Nodes { get; init; } = 1;

    public required string Repo { get; init; }

    public string? MarkdownPath { get; init; }

    /// <summary><c>Muster:Execution:MaxConcurrentRuns</c> for scenario 2 (the shipped default unless told).</summary>
    public int MaxConcurrentRuns { get; init; } = 64;

    /// <summary>Extra environment for every server node (<c>--server-env KEY=VALUE</c>, repeatable), e.g. runtime GC settings to compare.</summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>The server build to measure: the Release build of the checkout, or <c>--server PATH</c> (a published build).</summary>
    public string ServerDll => ServerPath ?? Path.Combine(Repo, "src/Muster.Server/bin/Release/net10.0/Muster.Server.dll");

    public string? ServerPath { get; init; }

    public string CrewsPath => Path.Combine(Repo, "bench/crews");

    // Scenario sizes: quick / full.
    public TimeSpan WrkDuration => TimeSpan.FromSeconds(Full ? 15 : 3);

    /// <summary>How many runs every scenario's nodes execute, unmeasured, before the scenario starts (see Cluster.WarmUpAsync).</summary>
    public int NodeWarmUpRuns => WarmUpRunsOverride ?? (Full ? 5_000 : 200);

    /// <summary>Scenario 2's measured runs.</summary>
    public int KickoffRuns => KickoffRunsOverride ?? (Full ? 5_000 : 1_000);

    /// <summary><c>--warm-up-runs N</c>: a longer warm-up, so that the JIT has settled before a small difference is measured.</summary>
    public int? WarmUpRunsOverride { get; init; }

    /// <summary><c>--runs N</c>: a longer measured stretch for scenario 2, so that its fixed costs weigh less.</summary>
    public int? KickoffRunsOverride { get; init; }

    public int InFlightRuns => Full ? 10_000 : 2_000;

    public TimeSpan MixedDuration => TimeSpan.FromSeconds(Full ? 60 : 5);

    public TimeSpan SteadyDuration => TimeSpan.FromSeconds(Full ? 30 : 5);

    public static BenchSettings Parse(string[] args) => Parse(args, Directory.GetCurrentDirectory());

    /// <summary>Parses <paramref name="args"/>; without <c>--repo</c> the repository is the one <paramref name="currentDirectory"/> is in.</summary>
    internal static BenchSettings Parse(string[] args, string currentDirectory)
    {
        // The repository is looked for only when --repo is absent, so that --repo works from outside a checkout.
        var settings = new BenchSettings { Repo = "" };
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            var option = args[i];
            settings = option switch
            {
                "--quick" => settings with { Full = false },
                "--full" => settings with { Full = true },
                "--scenarios" => settings with { Scenarios = Value().Split(',').Select(s => Number(option, s)).ToHashSet() },
                "--storage" => settings with { Storage = Value().ToLowerInvariant() },
                "--connection-string" => settings with { ConnectionString = Value() },
                "--nodes" => settings with { Nodes = Number(option, Value()) },
                "--repo" => settings with { Repo = Path.GetFullPath(Value()) },
                "--markdown" => settings with { MarkdownPath = Path.GetFullPath(Value()) },
                "--server" => settings with { ServerPath = Path.GetFullPath(Value()) },
                "--server-env" => settings with { ServerEnvironment = WithPair(settings.ServerEnvironment, Value()) },
                "--max-concurrent-runs" => settings with { MaxConcurrentRuns = Number(option, Value()) },
                "--runs" => settings with { KickoffRunsOverride = Positive(option, Value()) },
                "--warm-up-runs" => settings with { WarmUpRunsOverride = Positive(option, Value()) },
                _ => throw new ArgumentException($"Unknown option {option}"),
            };
        }

        if (settings.Repo.Length == 0)
        {
            settings = settings with { Repo = FindRepo(currentDirectory) };
        }

        if (settings.Storage is not ("sqlite" or "postgres"))
        {
            throw new ArgumentException("--storage is sqlite or postgres");
        }

        if (settings.Storage == "postgres" && string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new ArgumentException("--storage postgres needs --connection-string (an empty database)");
        }

        if (settings.Nodes < 1 || (settings.Nodes > 1 && settings.Storage == "sqlite"))
        {
            throw new ArgumentException("--nodes above 1 needs --storage postgres (SQLite is one node)");
        }

        return settings;
    }

    private static Dictionary<string, string> WithPair(IReadOnlyDictionary<string, string> environment, string pair)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"--server-env takes KEY=VALUE, not '{pair}'");
        }

        return new Dictionary<string, string>(environment) { [pair[..equals]] = pair[(equals + 1)..] };
    }

    private static int Number(string option, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ArgumentException($"{option} takes whole numbers, not '{value}'");

    private static int Positive(string option, string value) =>
        Number(option, value) is > 0 and var number ? number : throw new ArgumentException($"{option} takes a number above 0, not '{value}'");

    private static string FindRepo(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Muster.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new ArgumentException("Run from inside the repository or pass --repo.");
    }
}
