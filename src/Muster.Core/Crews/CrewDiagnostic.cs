namespace Muster.Core.Crews;

/// <summary>How serious a problem found while loading a crew is: errors stop the crew from loading.</summary>
public enum CrewDiagnosticSeverity
{
    /// <summary>Reported; the crew still loads (for example a field Muster does not act on).</summary>
    Warning,
    /// <summary>The crew does not load.</summary>
    Error,
}

/// <summary>A problem found in a crew's files, with the file and the 1-based line and column it concerns.</summary>
public sealed record CrewDiagnostic(CrewDiagnosticSeverity Severity, string File, int Line, int Column, string Message)
{
    /// <summary>Compiler style: <c>path/tasks.yaml:12:3: error: ...</c>.</summary>
    public override string ToString()
    {
        var severity = Severity == CrewDiagnosticSeverity.Error ? "error" : "warning";
        return Line > 0 ? $"{File}:{Line}:{Column}: {severity}: {Message}" : $"{File}: {severity}: {Message}";
    }
}

/// <summary>The result of loading one crew folder: the crew when it loaded, and every problem found.</summary>
public sealed record CrewLoadResult(string Path, CrewDefinition? Crew, IReadOnlyList<CrewDiagnostic> Diagnostics)
{
    /// <summary>True when the crew loaded without errors (warnings allowed).</summary>
    public bool Succeeded => Crew is not null;

    /// <summary>The problems that stopped the crew from loading.</summary>
    public IEnumerable<CrewDiagnostic> Errors => Diagnostics.Where(d => d.Severity == CrewDiagnosticSeverity.Error);

    /// <summary>The problems that did not.</summary>
    public IEnumerable<CrewDiagnostic> Warnings => Diagnostics.Where(d => d.Severity == CrewDiagnosticSeverity.Warning);
}
