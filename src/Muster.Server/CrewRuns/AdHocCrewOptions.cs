using System.ComponentModel.DataAnnotations;

namespace Muster.Server.CrewRuns;

/// <summary>
/// <c>Muster:AdHocCrews</c>. Ad-hoc crews let a caller choose prompts and models, so an operator can
/// switch them off (the route then answers 403) and bound what one request may ask for.
/// </summary>
public sealed class AdHocCrewOptions
{
    public const string Section = "Muster:AdHocCrews";

    public bool Enabled { get; set; } = true;

    [Range(1, 1000)]
    public int MaxAgents { get; set; } = 10;

    [Range(1, 1000)]
    public int MaxTasks { get; set; } = 20;

    /// <summary>Models (<c>provider/model</c>) an agent may name in <c>llm</c>; empty allows any.</summary>
    public List<string> AllowedModels { get; set; } = [];

    /// <summary>Longest role, goal, backstory, description or expected output, in characters.</summary>
    [Range(1, 1_000_000)]
    public int MaxFieldLength { get; set; } = 20_000;
}
