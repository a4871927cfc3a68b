using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Muster.Server.Hosting;

/// <summary>The <c>Muster</c> configuration section (storage and LLM subsections belong to their own libraries).</summary>
public sealed class MusterOptions
{
    public const string SectionName = "Muster";

    /// <summary>A folder of crews: each subfolder a crew, or the folder itself one crew.</summary>
    [Required]
    public string CrewsPath { get; set; } = "crews";

    /// <summary>The crew that also answers at the root routes when several are loaded.</summary>
    public string? DefaultCrew { get; set; }

    /// <summary>Runs every crew against the built-in LLM simulator (<c>--simulated-llm</c>).</summary>
    public bool SimulatedLlm { get; set; }

    [Required, ValidateObjectMembers]
    public CompatOptions Compat { get; set; } = new();

    [Required, ValidateObjectMembers]
    public ExecutionOptions Execution { get; set; } = new();

    [Required, ValidateObjectMembers]
    public AuthOptions Auth { get; set; } = new();

    [Required, ValidateObjectMembers]
    public LimitsOptions Limits { get; set; } = new();
}

public sealed class CompatOptions
{
    /// <summary>Serve the live service's status and inputs shapes (Semantic Kernel, crewAI-tools) to tokens that choose no <c>status_shape</c> of their own.</summary>
    public bool Legacy { get; set; }
}

public sealed class ExecutionOptions
{
    [Range(1, 1_000_000)]
    public int MaxConcurrentRuns { get; set; } = 64;

    /// <summary>How long a claimed run stays owned by this node without a heartbeat.</summary>
    [Range(1, 3600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>How often leases are renewed; 0 means a third of <see cref="LeaseSeconds"/>.</summary>
    [Range(0, 3600)]
    public int HeartbeatSeconds { get; set; }

    /// <summary>How often an idle scheduler looks for work without a wake-up (a missed signal costs at most this).</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 2;

    /// <summary>On shutdown, how long running LLM calls may finish before their runs are cancelled.</summary>
    [Range(0, 3600)]
    public int ShutdownGraceSeconds { get; set; } = 10;

    /// <summary>
    /// How long progress events (a task or LLM call starting, a tool used) may wait to be stored together with the
    /// events after them; 0 stores every event on its own. Task results, pauses and run ends are never held.
    /// </summary>
    [Range(0, 1000)]
    public int EventFlushMilliseconds { get; set; } = 20;

    /// <summary>This node's id in leases; a fresh one per process when empty.</summary>
    public string? NodeId { get; set; }

    /// <summary>
    /// How many finished runs the status endpoint keeps in memory (each for at most a minute); 0 turns this off. Deletions
    /// through the API and retention purges reach every node's cache that hears of them.
    /// </summary>
    [Range(0, 1_000_000)]
    public int FinishedRunCacheSize { get; set; } = 4096;

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    public TimeSpan EventFlushDelay => TimeSpan.FromMilliseconds(EventFlushMilliseconds);

    public TimeSpan Heartbeat => TimeSpan.FromSeconds(HeartbeatSeconds > 0 ? HeartbeatSeconds : Math.Max(1, LeaseSeconds / 3.0));
}

public sealed class AuthOptions
{
    /// <summary>An organization token added at start-up (stored hashed), for containers and tests.</summary>
    [MinLength(16, ErrorMessage = "Muster:Auth:BootstrapToken must be at least 16 characters; use a long random secret.")]
    public string? BootstrapToken { get; set; }

    /// <summary>
    /// How long a valid token's principal is remembered (by the token's hash), so requests skip the token store; 0 turns
    /// this off. Revocations through the API take effect at once on every node that hears of them; this bounds how long
    /// one made straight in the database (the CLI against the store) can go unnoticed.
    /// </summary>
    [Range(0, 300)]
    public int TokenCacheSeconds { get; set; } = 10;
}

public sealed class LimitsOptions
{
    [Range(1024, 1L << 30)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The most one run may record, in bytes of JSON: its inputs and meta, and the data of every event it emits as the store
    /// keeps it (a long input counted once). A kickoff whose inputs and meta alone pass it answers 413; a run whose next event
    /// would pass it fails. Far above what a normal run records (kilobytes to a few megabytes; the largest body filled into
    /// CrewAI's template crew records about 1 MB, since a long input counts once), and above what tools can return in one run
    /// (a web page fetched is up to 512 KB, recorded with the tool's result and the agent's step).
    /// </summary>
    [Range(64 * 1024, 1L << 40)]
    public long MaxRunBytes { get; set; } = 256L * 1024 * 1024;
}
